// A unified diff's hunks (the `patch` of GET /api/vitrine/diff/...) as rows with line numbers,
// for the commit page. Pure: text in, rows out; the page renders them as text.

export interface DiffRow {
  kind: "hunk" | "add" | "del" | "ctx" | "note";
  oldLine: number | null;
  newLine: number | null;
  marker: string; // "+", "-", " " or "" (hunk headers, notes)
  text: string;
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
  return rows;
}
