// A unified diff's hunks (the `patch` of GET /api/vitrine/diff/...) as rows with line numbers,
// for the commit page. Pure: text in, rows out; the page renders them as text. A removed line
// followed by its replacement (the i-th "-" of a run with the i-th "+" after it) marks what
// changed within the line: `changed` is the [start, end) of the text between the common start
// and the common end of the two lines, widened to whole words.

export interface DiffRow {
  kind: "hunk" | "add" | "del" | "ctx" | "note";
  oldLine: number | null;
  newLine: number | null;
  marker: string; // "+", "-", " " or "" (hunk headers, notes)
  text: string;
  changed?: [number, number]; // the part of `text` that differs from its paired line
}

const HUNK = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

export function parsePatch(patch: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let oldLine = 0;
  let newLine = 0;
  const lines = patch.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  for (const line of lines) {
    const hunk = HUNK.exec(line);
    if (hunk) {
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      rows.push({ kind: "hunk", oldLine: null, newLine: null, marker: "", text: line });
    } else if (line.startsWith("+")) {
      rows.push({ kind: "add", oldLine: null, newLine: newLine++, marker: "+", text: line.slice(1) });
    } else if (line.startsWith("-")) {
      rows.push({ kind: "del", oldLine: oldLine++, newLine: null, marker: "-", text: line.slice(1) });
    } else if (line.startsWith("\\")) {
      rows.push({ kind: "note", oldLine: null, newLine: null, marker: "", text: line.slice(2) });
    } else {
      rows.push({ kind: "ctx", oldLine: oldLine++, newLine: newLine++, marker: " ", text: line.slice(1) });
    }
  }
  markChanges(rows);
  return rows;
}

const WORD = /[\p{L}\p{N}_]/u;

/** [start, end) of what differs between a and b in a, widened to word boundaries. */
function changedPart(a: string, b: string): [number, number] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  if (endA === start) return [start, start]; // nothing of a differs: b only adds
  // A boundary inside a word moves out to the word's edge.
  while (start > 0 && WORD.test(a[start - 1]) && WORD.test(a[start])) start--;
  while (endA < a.length && WORD.test(a[endA - 1]) && WORD.test(a[endA])) endA++;
  return [start, endA];
}

function markChanges(rows: DiffRow[]) {
  let i = 0;
  while (i < rows.length) {
    if (rows[i].kind !== "del") {
      i++;
      continue;
    }
    let dels = i;
    while (dels < rows.length && rows[dels].kind === "del") dels++;
    let adds = dels;
    while (adds < rows.length && rows[adds].kind === "add") adds++;
    const pairs = Math.min(dels - i, adds - dels);
    for (let k = 0; k < pairs; k++) {
      const del = rows[i + k];
      const add = rows[dels + k];
      // Only lines that keep something in common: a wholly new line is not "changed within".
      const d = changedPart(del.text, add.text);
      const a = changedPart(add.text, del.text);
      if (d[1] - d[0] < del.text.length || a[1] - a[0] < add.text.length) {
        if (d[1] > d[0]) del.changed = d;
        if (a[1] > a[0]) add.changed = a;
      }
    }
    i = adds;
  }
}
