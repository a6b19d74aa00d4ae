// What the dataset viewer's test files share: a real `vitrine serve` (harness.mjs), a DuckDB
// connection in UTC (@duckdb/node-api, the peer the viewer is compared with), a scratch folder,
// and the viewer's API as alice.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { startServer, http } from "./harness.mjs";

/**
 * Starts the server, DuckDB and a scratch folder named after `name`. Returns { srv, hubUrl,
 * alice (her write token), duck, dir, viewer(query) (GET /datasets-server/{query} as alice),
 * stop() }.
 */
export async function viewerSuite(name) {
	const srv = await startServer();
	const db = await DuckDBInstance.create(":memory:");
	const duck = await db.connect();
	await duck.run("SET TimeZone = 'UTC'");
	const dir = mkdtempSync(path.join(tmpdir(), `vitrine-${name}-`));
	const alice = srv.tokens.alice;
	return {
		srv,
		hubUrl: srv.baseUrl,
		alice,
		duck,
		dir,
		viewer: (query) => http(srv.baseUrl, `/datasets-server/${query}`, { token: alice }),
		async stop() {
			await srv.stop();
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
