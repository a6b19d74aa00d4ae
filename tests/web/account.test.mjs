// Accounts end to end: password sign-in, the access-token page (/settings/tokens: a write token
// created, its secret shown once and working, listed without it after a reload, revoked behind
// a confirmation and refused at once; a fine-grained token made with the scope editor), profile
// pages of a user and an organization (public repositories for visitors, private ones for the
// owner, members, organizations, an unknown name), keyboard use and a 390 px screen, sign out.
// Screenshots "profile" and "tokens" (docs/screenshots/ with VITRINE_UPDATE_SCREENSHOTS=1).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { vitrineBin } from "../client/js/harness.mjs";
import { startWeb, shot, assertNoSidewaysScroll, docsScreenshots } from "./lib.mjs";

const PASSWORD = "correct horse battery staple";
const ORG = "acct-lab";

let web;
let server;

before(async () => {
	web = await startWeb();
	server = web.server;
	const { api } = web;
	await api("POST", "/api/repos/create", { name: "acct-model" });
	await api("POST", "/api/repos/create", { name: "acct-secret", private: true });
	await api("POST", "/api/repos/create", { name: "acct-data", type: "dataset" });
	const cli = (...args) => execFileSync(vitrineBin(), [...args, "--data", server.dataDir], { stdio: ["pipe", "pipe", "pipe"] });
	cli("org", "create", ORG, "--owner", "alice");
	cli("org", "add-member", ORG, "bob", "--role", "write");
	await api("POST", "/api/repos/create", { name: "lab-model", organization: ORG });
	await api("POST", "/api/repos/create", { name: "lab-secret", organization: ORG, private: true });
	execFileSync(vitrineBin(), ["user", "set-password", "alice", "--data", server.dataDir], { input: PASSWORD + "\n" });
});

after(async () => {
	await web?.close();
});

async function passwordSignIn(page) {
	await page.goto(server.baseUrl + "/login");
	await page.getByLabel("User name").fill("alice");
	await page.getByLabel("Password").fill(PASSWORD);
	await page.getByRole("button", { name: "Sign in" }).click();
	await page.getByText("Signed in as").waitFor();
}

function whoamiStatus(token) {
	return fetch(server.baseUrl + "/api/whoami-v2", { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.status);
}

/** Presses Tab until `predicate` (run in the page) holds; fails after `max` presses. */
async function tabTo(page, predicate, arg, what, max = 60) {
	for (let i = 0; i < max; i++) {
		await page.keyboard.press("Tab");
		if (await page.evaluate(predicate, arg)) return;
	}
	assert.fail(`${what} is not reachable with Tab`);
}

test("tokens: a write token made on /settings/tokens is shown once, works, is listed without its secret, and is revoked", async () => {
	const { context, page, problems } = await web.newPage();
	await passwordSignIn(page);
	await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Access tokens" }).click();
	await page.getByRole("heading", { level: 1, name: "Access tokens" }).waitFor();
	const list = page.getByRole("region", { name: /Your tokens/ });
	await list.waitFor();

	await page.getByLabel("Name", { exact: true }).fill("e2e laptop");
	await page.getByRole("radio", { name: /^Write/ }).check();
	await page.getByRole("button", { name: "Create token" }).click();
	const secretField = page.getByLabel("Token (write)");
	await secretField.waitFor();
	const secret = await secretField.inputValue();
	assert.match(secret, /^hf_[A-Za-z0-9]{34}$/);
	assert.equal(await secretField.evaluate((el) => el.readOnly && document.activeElement === el), true, "the secret is read-only and focused");
	await page.getByText("it will not be shown again").waitFor();
	await page.getByRole("button", { name: "Copy" }).click();
	await page.getByText(/Copied to the clipboard|press Ctrl\+C/).waitFor();
	assert.equal(await whoamiStatus(secret), 200, "the new token works for whoami-v2");
	await list.getByText("e2e laptop").waitFor();
	await shot(page, "tokens-created");

	// A fine-grained token through the scope editor: one repository, read.
	await page.getByRole("button", { name: "Done, I copied it" }).click();
	await page.getByLabel("Name", { exact: true }).fill("e2e reader");
	await page.getByRole("radio", { name: /^Fine-grained/ }).check();
	await page.getByLabel("Scope 1: namespace or repository").fill("alice/acct-model");
	await page.getByRole("button", { name: "Create token" }).click();
	const scoped = await page.getByLabel("Token (fine-grained)").inputValue();
	const who = await (await fetch(server.baseUrl + "/api/whoami-v2", { headers: { Authorization: `Bearer ${scoped}` } })).json();
	assert.equal(who.auth.accessToken.role, "fineGrained");
	assert.deepEqual(who.auth.accessToken.fineGrained.scoped.map((s) => s.entity.name), ["alice/acct-model"]);
	await list.getByText("model alice/acct-model: read").waitFor();

	// After a reload the secrets are gone from the page; the tokens stay listed.
	await page.reload();
	await list.getByText("e2e laptop").waitFor();
	assert.equal(await page.getByLabel(/^Token \(/).count(), 0, "no secret field after a reload");
	const html = await page.content();
	assert.ok(!html.includes(secret) && !html.includes(scoped), "no secret anywhere in the page");
	await shot(page, "tokens");

	// Revoke, behind a confirmation; Cancel first keeps it.
	await page.getByRole("button", { name: "Revoke e2e laptop" }).click();
	await page.getByRole("button", { name: "Cancel" }).click();
	assert.equal(await whoamiStatus(secret), 200);
	await page.getByRole("button", { name: "Revoke e2e laptop" }).click();
	await page.getByRole("button", { name: "Yes, revoke e2e laptop" }).click();
	await page.getByText("Token “e2e laptop” revoked").waitFor();
	assert.equal(await whoamiStatus(secret), 401, "a revoked token is refused at once");
	// The list is fetched again after the revocation: the token leaves it (under load, a moment later).
	await list.getByText("e2e laptop", { exact: true }).waitFor({ state: "detached", timeout: 10000 });
	await list.getByText("e2e reader").waitFor();
	assert.deepEqual(problems, []);
	await context.close();
});

test("tokens: signed out, the page asks to sign in; a read token is refused by the hub", async () => {
	const { context, page, problems } = await web.newPage();
	await page.goto(server.baseUrl + "/settings/tokens");
	await page.getByText("Sign in to manage your access tokens").waitFor();
	await page.getByRole("main").getByRole("link", { name: "Sign in" }).waitFor();
	await web.signIn(page, server.tokens.aliceRead);
	await page.goto(server.baseUrl + "/settings/tokens");
	await page.getByRole("alert").getByText(/read token cannot manage access tokens/).waitFor();
	assert.equal(await page.getByRole("button", { name: "Create token" }).count(), 0);
	assert.deepEqual(problems, []);
	await context.close();
});

test("profiles: a user's and an organization's pages; private repositories only for those who may see them; an unknown name", async () => {
	const { context, page, problems } = await web.newPage();
	// Anonymous visitor.
	await page.goto(server.baseUrl + "/alice");
	await page.getByRole("heading", { level: 1, name: "alice" }).waitFor();
	const models = page.getByRole("region", { name: /^Models/ });
	await models.getByRole("link", { name: "alice/acct-model" }).waitFor();
	assert.equal(await models.getByText("alice/acct-secret").count(), 0, "a visitor does not see the private model");
	await page.getByRole("region", { name: /^Datasets/ }).getByRole("link", { name: "alice/acct-data" }).waitFor();
	await page.getByRole("region", { name: "Organizations" }).getByRole("link", { name: ORG }).click();
	await page.getByRole("heading", { level: 1, name: ORG }).waitFor();
	await page.getByText("Organization · 2 members").waitFor();
	const members = page.getByRole("region", { name: "Members" });
	await members.getByRole("link", { name: "alice" }).waitFor();
	await members.getByRole("link", { name: "bob" }).waitFor();
	const orgModels = page.getByRole("region", { name: /^Models/ });
	await orgModels.getByRole("link", { name: `${ORG}/lab-model` }).waitFor();
	assert.equal(await orgModels.getByText(`${ORG}/lab-secret`).count(), 0);
	await page.goto(server.baseUrl + "/nobody-here");
	await page.getByText("No user or organization named “nobody-here”").waitFor();

	// Signed in as alice: her private repositories and her organization's appear.
	await web.signIn(page);
	await page.goto(server.baseUrl + "/alice");
	await models.getByRole("link", { name: "alice/acct-secret" }).waitFor();
	await models.getByText("private").first().waitFor();
	await page.getByRole("link", { name: "Your access tokens" }).waitFor();
	await shot(page, "profile");
	await page.goto(`${server.baseUrl}/${ORG}`);
	await orgModels.getByRole("link", { name: `${ORG}/lab-secret` }).waitFor();
	// The banner's "Signed in as" leads to one's own profile.
	await page.getByRole("link", { name: "Signed in as alice" }).click();
	await page.waitForURL(server.baseUrl + "/alice");
	await page.getByRole("heading", { level: 1, name: "alice" }).waitFor();
	assert.deepEqual(problems, []);
	await context.close();
});

test("keyboard and a 390 px screen: a token made and revoked without the mouse; profiles fit; sign out", async () => {
	const { context, page, problems } = await web.newPage({ width: 390, height: 844 });
	await passwordSignIn(page);
	await page.goto(server.baseUrl + "/settings/tokens");
	await page.getByRole("heading", { level: 1, name: "Access tokens" }).waitFor();
	await page.getByRole("region", { name: /Your tokens/ }).waitFor();
	await assertNoSidewaysScroll(page, "the tokens page");

	await tabTo(page, () => document.activeElement?.id === "token-name", null, "the Name field");
	await page.keyboard.type("keyboard token");
	await page.keyboard.press("Tab"); // the checked role, Read
	await page.keyboard.press("ArrowDown"); // Write
	assert.equal(await page.getByRole("radio", { name: /^Write/ }).isChecked(), true);
	await tabTo(page, () => document.activeElement?.textContent === "Create token", null, "Create token");
	await page.keyboard.press("Enter");
	const field = page.getByLabel("Token (write)");
	await field.waitFor();
	assert.equal(await field.evaluate((el) => document.activeElement === el), true, "focus moves to the new secret");
	const secret = await field.inputValue();
	assert.equal(await whoamiStatus(secret), 200);
	await assertNoSidewaysScroll(page, "the new-token panel");

	await tabTo(page, () => document.activeElement?.getAttribute("aria-label") === "Revoke keyboard token", null, "the Revoke button");
	await page.keyboard.press("Enter");
	assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), "Yes, revoke keyboard token", "focus moves to the confirmation");
	await page.keyboard.press("Enter");
	await page.getByText("Token “keyboard token” revoked").waitFor();
	assert.equal(await whoamiStatus(secret), 401);

	for (const name of ["alice", ORG]) {
		await page.goto(`${server.baseUrl}/${name}`);
		await page.getByRole("heading", { level: 1, name }).waitFor();
		await page.getByRole("region", { name: /^Models \(/ }).waitFor();
		await assertNoSidewaysScroll(page, `/${name}`);
	}
	// The profile's links are reachable with Tab.
	await tabTo(page, () => document.activeElement?.textContent === "alice", null, "a member's link");
	await page.keyboard.press("Enter");
	await page.waitForURL(server.baseUrl + "/alice");

	await page.getByRole("button", { name: "Sign out" }).click();
	await page.getByRole("link", { name: "Sign in" }).waitFor();
	await page.goto(server.baseUrl + "/settings/tokens");
	await page.getByText("Sign in to manage your access tokens").waitFor();
	assert.deepEqual(problems, []);
	await context.close();
});

docsScreenshots(["profile", "tokens"]);
