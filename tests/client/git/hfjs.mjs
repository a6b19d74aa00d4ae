// Small CLI around the real @huggingface/hub client (installed in tests/client/js/node_modules),
// used by git_test.sh to upload and download through the JS client.
//
//   node hfjs.mjs upload   HUB_URL TOKEN REPO PATH_IN_REPO LOCAL_FILE   → prints the commit oid
//   node hfjs.mjs upload-xet HUB_URL TOKEN REPO PATH_IN_REPO LOCAL_FILE → "<commit oid> <xorb POSTs>"
//   node hfjs.mjs download HUB_URL TOKEN REPO PATH_IN_REPO OUT_FILE [REVISION]
//
// REPO is "ns/name" for a model or "datasets/ns/name" for a dataset. Uploads use the basic LFS
// transfer (useXet: false). Exits non-zero with a message on any failure.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const hub = await import(
	pathToFileURL(path.join(here, "..", "js", "node_modules", "@huggingface", "hub", "dist", "index.mjs")).href
);

function repoDesignation(s) {
	if (s.startsWith("datasets/")) return { type: "dataset", name: s.slice("datasets/".length) };
	if (s.startsWith("spaces/")) return { type: "space", name: s.slice("spaces/".length) };
	return { type: "model", name: s };
}

const [cmd, hubUrl, accessToken, repoArg, repoPath, local, revision] = process.argv.slice(2);
const repo = repoDesignation(repoArg ?? "");
try {
	if (cmd === "upload" || cmd === "upload-xet") {
		const content = new Blob([readFileSync(local)]);
		let xorbPosts = 0;
		const countingFetch = (url, init) => {
			if (String(url).includes("/v1/xorbs/")) xorbPosts += 1;
			return fetch(url, init);
		};
		const res = await hub.uploadFile({
			hubUrl,
			accessToken,
			repo,
			file: { path: repoPath, content },
			useXet: cmd === "upload-xet",
			fetch: countingFetch,
			commitTitle: `upload ${repoPath} (js)`,
		});
		process.stdout.write(`${res?.commit?.oid ?? ""}${cmd === "upload-xet" ? ` ${xorbPosts}` : ""}\n`);
	} else if (cmd === "download") {
		const blob = await hub.downloadFile({ hubUrl, accessToken, repo, path: repoPath, ...(revision ? { revision } : {}) });
		if (!blob) throw new Error(`downloadFile(${repoPath}) returned null`);
		writeFileSync(local, Buffer.from(await blob.arrayBuffer()));
	} else {
		throw new Error(`unknown command ${cmd}`);
	}
} catch (e) {
	process.stderr.write(`hfjs ${cmd}: ${e?.stack ?? e}\n`);
	process.exit(1);
}
