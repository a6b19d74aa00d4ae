// Display of counts: parameters ("1.2M params") and downloads ("1,234 downloads").

/** A count in short form: 950, 12.3K, 1.2M, 7.24B (three significant digits at most). */
export function shortCount(n: number): string {
  const units: [number, string][] = [
    [1e12, "T"],
    [1e9, "B"],
    [1e6, "M"],
    [1e3, "K"],
  ];
  for (const [size, unit] of units) {
    if (n >= size) {
      const v = n / size;
      return `${v >= 100 ? Math.round(v) : v >= 10 ? v.toFixed(1).replace(/\.0$/, "") : v.toFixed(2).replace(/\.?0+$/, "")}${unit}`;
    }
  }
  return String(n);
}

/** An exact count with thousands separators: 1,234,567. */
export function fullCount(n: number): string {
  return n.toLocaleString("en-US");
}

export function downloadsLabel(n: number): string {
  return `${fullCount(n)} ${n === 1 ? "download" : "downloads"}`;
}
