// Writes a gzip copy (name.gz) beside every text file of the build, so the hub can send
// pre-compressed files to browsers that accept gzip without compressing on each request.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync, constants } from "node:zlib";

const root = process.argv[2] ?? "dist";
const compressible = /\.(js|mjs|css|html|svg|json|txt)$/;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) walk(file);
    else if (compressible.test(name)) {
      const data = readFileSync(file);
      const gz = gzipSync(data, { level: constants.Z_BEST_COMPRESSION });
      // Tiny files grow when compressed: keep only the copies that save something.
      if (gz.length < data.length) writeFileSync(file + ".gz", gz);
    }
  }
}
walk(root);
