// Which highlighting language a file's name asks for (lib/highlight.ts's names). Small and
// loaded with the file viewer; the highlighter itself is imported only when a file needs it.

const BY_EXTENSION: Record<string, string> = {
  py: "python", pyi: "python",
  json: "json", jsonl: "json", ipynb: "json",
  yaml: "yaml", yml: "yaml",
  md: "markdown", markdown: "markdown",
  sh: "bash", bash: "bash", zsh: "bash",
  js: "javascript", mjs: "javascript", cjs: "javascript", jsx: "javascript",
  ts: "typescript", mts: "typescript", cts: "typescript", tsx: "typescript",
  c: "c", h: "c",
  cc: "cpp", cpp: "cpp", cxx: "cpp", hpp: "cpp", hh: "cpp", hxx: "cpp", cu: "cpp", cuh: "cpp",
  toml: "ini", ini: "ini", cfg: "ini",
  html: "xml", xml: "xml", svg: "xml",
  css: "css",
  rs: "rust",
  go: "go",
  sql: "sql",
  diff: "diff", patch: "diff",
};

/** The language of `path` by its extension (or its name: Dockerfile), or null. */
export function languageFor(path: string): string | null {
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (name === "Dockerfile" || name.startsWith("Dockerfile.")) return "dockerfile";
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return null;
  return BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? null;
}
