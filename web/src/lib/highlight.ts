// Syntax highlighting for the file viewer, imported on demand (import("./highlight")) so that
// a repository page's first load does not carry it: highlight.js's core with a fixed set of
// languages. The answer is lines of tokens (text and a class name), never HTML: the page
// renders each token as a text node in a <span>, so a file's text cannot become markup.
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import dockerfile from "highlight.js/lib/languages/dockerfile";
import go from "highlight.js/lib/languages/go";
import ini from "highlight.js/lib/languages/ini";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import markdown from "highlight.js/lib/languages/markdown";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";

const LANGUAGES = { bash, c, cpp, css, diff, dockerfile, go, ini, javascript, json, markdown, python, rust, sql, typescript, xml, yaml };
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);

/** A run of text; `cls` is "" for plain text, else `tok-{scope}` (styled in app.css). */
export interface Token {
  text: string;
  cls: string;
}

/** Files larger than this are shown without colours (highlighting them would stall the page). */
export const MAX_HIGHLIGHT_CHARS = 256 * 1024;

// highlight.js's token tree (its TokenTreeEmitter): a node has a scope ("keyword",
// "title.function", "language:css" for an embedded language) and children, text or nodes.
interface TreeNode {
  scope?: string;
  children: (string | TreeNode)[];
}

function className(scope: string | undefined, inherited: string): string {
  if (!scope || scope.startsWith("language:")) return inherited;
  const first = scope.split(".")[0].replace(/[^a-z_-]/g, "");
  return first ? `tok-${first}` : inherited;
}

/**
 * `text` split into lines (on \n; a \r before it is dropped, as the plain view does) of
 * tokens, or null when the language is unknown, the file too large, or highlight.js fails.
 * Joining a line's tokens gives the line's text exactly.
 */
export function highlightLines(text: string, language: string): Token[][] | null {
  if (text.length > MAX_HIGHLIGHT_CHARS || !hljs.getLanguage(language)) return null;
  let root: TreeNode | undefined;
  try {
    const result = hljs.highlight(text, { language, ignoreIllegals: true }) as unknown as {
      _emitter?: { rootNode?: TreeNode };
    };
    root = result._emitter?.rootNode;
  } catch {
    return null;
  }
  if (!root) return null;
  const lines: Token[][] = [[]];
  const push = (piece: string, cls: string) => {
    const parts = piece.split("\n");
    parts.forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part) lines[lines.length - 1].push({ text: part, cls });
    });
  };
  const walk = (node: TreeNode, cls: string) => {
    for (const child of node.children) {
      if (typeof child === "string") push(child, cls);
      else walk(child, className(child.scope, cls));
    }
  };
  walk(root, "");
  // The same lines as the plain view: a final newline ends the last line, \r\n counts as \n.
  if (lines.length > 1 && lines[lines.length - 1].length === 0) lines.pop();
  for (const line of lines) {
    const last = line[line.length - 1];
    if (last && last.text.endsWith("\r")) {
      last.text = last.text.slice(0, -1);
      if (!last.text) line.pop();
    }
  }
  const joined = lines.map((l) => l.map((t) => t.text).join("")).join("\n");
  const plain = text.split(/\r?\n/);
  if (plain.length > 1 && plain[plain.length - 1] === "") plain.pop();
  // A safety net: if the tree ever disagrees with the text (a library change), show it plain.
  return joined === plain.join("\n") ? lines : null;
}
