// Publishing from the browser, end to end (issue 8, "Publishing"): the card editor (the hub's
// YAML verdict as one types, an invalid card refused, the hub's preview, a valid one committed and shown, a change
// made meanwhile refused with the hub's message and nothing lost), and a repository's settings
// (private: gone for an anonymous visitor; gating with manual approval: bob asks on the card
// page, alice accepts on the settings page, bob's download turns from 403 into 200; rename;
// delete behind a typed confirmation). Signed in with a password (session cookie and CSRF
// token) for the editor and with an access token for the settings. Keyboard, 390 px width, and
// no console errors. Screenshots "edit-card" and "settings".
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { vitrineBin, seededBuffer } from "../client/js/harness.mjs";
import { startWeb, shot, assertNoSidewaysScroll, docsScreenshots } from "./lib.mjs";

const PASSWORD = "publish test password";
const CARD = "alice/pub-card";
const SETTLED = "alice/pub-settings";
const README = "---\nlicense: mit\ntags: [demo]\n---\n# Publish test\n\nThe first text.\n";

let web;
let server;
let api;
let commit;
let newPage;
let signIn;

before(async () => {
	web = await startWeb();
	({ server, api, commit, newPage, signIn } = web);
	await api("POST", "/api/repos/create", { name: "pub-card" });
	await commit(CARD, "add the card", { "README.md": README });
	await api("POST", "/api/repos/create", { name: "pub-settings" });
	await commit(SETTLED, "add files", { "README.md": "# Settings test\n", "weights.bin": "the weights" });
	execFileSync(vitrineBin(), ["user", "set-password", "alice", "--data", server.dataDir], { input: PASSWORD + "\n" });
});

after(async () => {
	await web?.close();
});

/** Signs a page in with alice's password: the session cookie, and the CSRF token the page keeps. */
async function signInWithPassword(page) {
	await page.goto(server.baseUrl + "/login");
	await page.getByLabel("User name").fill("alice");
	await page.getByLabel("Password").fill(PASSWORD);
	await page.getByRole("button", { name: "Sign in" }).click();
	await page.getByText("Signed in as").waitFor();
	assert.equal(await page.evaluate(() => localStorage.getItem("vitrine.token")), null, "no token: the session cookie only");
}

/** A status without a body check (fetch follows nothing for these API routes). */
async function status(method, urlPath, token) {
	const res = await fetch(server.baseUrl + urlPath, { method, headers: token ? { Authorization: `Bearer ${token}` } : {} });
	await res.arrayBuffer();
	return res.status;
}

async function commitsOf(repo, type = "model") {
	return api("GET", `/api/${type}s/${repo}/commits/main`);
}

async function readme(repo) {
	const res = await fetch(`${server.baseUrl}/${repo}/raw/main/README.md`, { headers: { Authorization: `Bearer ${server.tokens.alice}` } });
	assert.equal(res.status, 200);
	return res.text();
}

test("card editor (password session): the hub's YAML error, nothing committed; a valid edit is committed and shown", async () => {
	const { context, page, problems } = await newPage();
	await signInWithPassword(page);
	await page.goto(`${server.baseUrl}/${CARD}`);
	const card = page.getByRole("region", { name: "Model card" });
	await card.getByText("The first text.").waitFor();
	await card.getByRole("link", { name: "Edit card" }).click();
	await page.waitForURL(`${server.baseUrl}/${CARD}/edit/main/README.md`);
	const editor = page.getByLabel("Content of README.md");
	await editor.waitFor();
	assert.equal(await editor.inputValue(), README, "the editor holds the README as committed");
	const status = page.locator("#yaml-status");
	await status.getByText("The metadata is valid YAML.").waitFor();
	assert.equal(await status.getAttribute("aria-live"), "polite");

	// Invalid front matter: the page shows the message the hub gives, and refuses to commit.
	const broken = "---\nlicense: [mit\ntags: demo\n---\n# Broken\n";
	const verdict = await fetch(server.baseUrl + "/api/validate-yaml", {
		method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ content: broken }),
	});
	assert.equal(verdict.status, 400);
	const hubMessage = (await verdict.json()).errors[0].message;
	assert.ok(hubMessage.length > 0);
	const before = (await commitsOf(CARD)).length;
	await editor.fill(broken);
	await status.getByText(hubMessage).waitFor();
	await status.getByText("is not valid").waitFor();
	await page.getByRole("button", { name: "Commit changes" }).click();
	const alert = page.getByRole("alert");
	await alert.waitFor();
	assert.match(await alert.textContent(), /Not committed: the card's metadata is not valid YAML/);
	assert.ok((await alert.textContent()).includes(hubMessage), "the refusal names the hub's error");
	assert.equal((await commitsOf(CARD)).length, before, "an invalid card is not committed");
	assert.equal(await readme(CARD), README);

	// A valid edit, with a commit message.
	const edited = "---\nlicense: apache-2.0\ntags: [demo, edited]\n---\n# Publish test\n\nEdited <b>in the browser</b>.\n";
	await editor.fill(edited);
	await status.getByText("The metadata is valid YAML.").waitFor();
	assert.equal(await page.getByRole("alert").count(), 0, "the refusal goes once the text changes");
	await page.getByLabel("Commit message").fill("Edit the card in the browser");
	// The preview is the hub's rendering (sanitized: the <b> is dropped, its text kept).
	await page.getByRole("button", { name: "Preview" }).click();
	const preview = page.getByRole("region", { name: "Preview" });
	await preview.getByRole("heading", { name: "Publish test" }).waitFor();
	await preview.getByText("Edited in the browser.").waitFor();
	assert.equal(await preview.locator("b").count(), 0);
	await preview.getByText("The text above, as the card page will show it.").waitFor();
	assert.equal((await commitsOf(CARD)).length, before, "a preview commits nothing");
	await shot(page, "edit-card");
	await page.getByRole("button", { name: "Commit changes" }).click();
	await page.waitForURL(`${server.baseUrl}/${CARD}`);
	await card.getByText("Edited in the browser.").waitFor();
	assert.equal(await card.locator("b").count(), 0, "the card's HTML is the hub's sanitized rendering");
	await page.getByRole("list", { name: "Tags" }).getByText("edited").waitFor();
	assert.equal(await readme(CARD), edited, "the committed bytes are the text typed");
	const history = await commitsOf(CARD);
	assert.equal(history.length, before + 1);
	assert.equal(history[0].title, "Edit the card in the browser");
	assert.deepEqual(problems, []);
	await context.close();
});

test("card editor: a change committed after the editor opened makes the save fail with the hub's message; nothing is lost", async () => {
	const { context, page, problems } = await newPage();
	await signIn(page);
	await page.goto(`${server.baseUrl}/${CARD}/edit/main/README.md`);
	const editor = page.getByLabel("Content of README.md");
	await page.locator("#yaml-status").getByText("The metadata is valid YAML.").waitFor();
	const mine = "---\nlicense: mit\n---\n# Mine\n\nTyped in the editor while someone else committed.\n";
	await editor.fill(mine);
	const theirs = "---\nlicense: mit\n---\n# Theirs\n\nCommitted through the API meanwhile.\n";
	await commit(CARD, "a concurrent change", { "README.md": theirs });
	const before = (await commitsOf(CARD)).length;
	await page.getByRole("button", { name: "Commit changes" }).click();
	const alert = page.getByRole("alert");
	await alert.waitFor();
	const text = await alert.textContent();
	assert.match(text, /Not committed: The branch was updated since you opened this page/, text);
	assert.equal(await editor.inputValue(), mine, "the text typed is still in the editor");
	assert.equal(page.url(), `${server.baseUrl}/${CARD}/edit/main/README.md`, "the editor stays open");
	assert.equal(await readme(CARD), theirs, "the other change is not overwritten");
	assert.equal((await commitsOf(CARD)).length, before);
	assert.deepEqual(problems, []);
	await context.close();
});

test("a repository without a README offers \"Create card\"", async () => {
	await api("POST", "/api/repos/create", { name: "pub-empty" });
	const res = await fetch(`${server.baseUrl}/alice/pub-empty/raw/main/README.md`, { headers: { Authorization: `Bearer ${server.tokens.alice}` } });
	assert.equal(res.status, 404, "a repository created without a license has no README.md");
	const { context, page, problems } = await newPage();
	await signIn(page);
	await page.goto(`${server.baseUrl}/alice/pub-empty`);
	await page.getByRole("link", { name: "Create card" }).click();
	await page.getByRole("heading", { name: "Create README.md" }).waitFor();
	const editor = page.getByLabel("Content of README.md");
	await editor.fill("---\nlicense: mit\n---\n# A new card\n");
	await page.getByRole("button", { name: "Commit changes" }).click();
	await page.waitForURL(`${server.baseUrl}/alice/pub-empty`);
	await page.getByRole("region", { name: "Model card" }).getByRole("heading", { name: "A new card" }).waitFor();
	assert.equal((await commitsOf("alice/pub-empty"))[0].title, "Create README.md", "the default commit message");
	assert.deepEqual(problems, []);
	await context.close();
});

test("settings: keyboard, 390 px; private hides the repository from anonymous visitors, not from its owner", async () => {
	const { context, page, problems } = await newPage();
	await signIn(page);
	await page.goto(`${server.baseUrl}/${SETTLED}`);
	await page.getByRole("navigation", { name: "Repository" }).getByRole("link", { name: "Settings" }).click();
	await page.waitForURL(`${server.baseUrl}/${SETTLED}/settings`);
	await page.getByRole("button", { name: "Save visibility" }).waitFor();

	// Every control is reachable with Tab, in order.
	const wanted = ["radio:public", "button:Save visibility", "radio:off", "button:Save gating", "input:grant-user",
		"button:Grant access", "input:rename-to", "input:delete-confirm"];
	const seen = [];
	await page.getByRole("heading", { level: 1 }).focus();
	for (let i = 0; i < 40; i++) {
		await page.keyboard.press("Tab");
		seen.push(await page.evaluate(() => {
			const el = document.activeElement;
			if (!el) return "";
			if (el.tagName === "INPUT" && el.type === "radio") return `radio:${el.value}`;
			if (el.tagName === "INPUT") return `input:${el.id}`;
			if (el.tagName === "BUTTON") return `button:${el.textContent.trim()}`;
			return `${el.tagName.toLowerCase()}:${el.textContent.trim()}`;
		}));
	}
	let at = -1;
	for (const w of wanted) {
		const i = seen.indexOf(w, at + 1);
		assert.ok(i > at, `${w} is reachable with Tab after the previous control (seen: ${seen.join(", ")})`);
		at = i;
	}
	// Arrow keys move within a radio group: private chosen with the keyboard.
	await page.getByLabel("Public: anyone can see it").focus();
	await page.keyboard.press("ArrowDown");
	assert.equal(await page.getByLabel("Private: only its namespace's members can see it").isChecked(), true);
	await page.keyboard.press("Tab");
	await page.keyboard.press("Enter");
	await page.getByRole("status").filter({ hasText: "The repository is now private." }).waitFor();
	assert.equal((await api("GET", `/api/models/${SETTLED}`)).private, true);

	// Gone for an anonymous visitor: its page, the listing and the API.
	const anon = await newPage();
	await anon.page.goto(`${server.baseUrl}/${SETTLED}`);
	await anon.page.getByRole("alert").getByText("This repository does not exist").waitFor();
	await anon.page.goto(`${server.baseUrl}/models`);
	await anon.page.getByRole("link", { name: CARD }).waitFor();
	assert.equal(await anon.page.getByRole("link", { name: SETTLED }).count(), 0, "not in the /models listing");
	assert.equal(await status("GET", `/api/models/${SETTLED}`), 401, "anonymous API call: 401, as for a missing repository");
	assert.equal(await status("GET", `/api/models/alice/no-such-repo`), 401);
	assert.equal(await status("GET", `/api/models/${SETTLED}`, server.tokens.bob), 404, "another user: 404");
	// Its settings page for an anonymous visitor: the hub's answer, not a broken page.
	await anon.page.goto(`${server.baseUrl}/${SETTLED}/settings`);
	await anon.page.getByRole("alert").getByText("does not exist").waitFor();
	assert.deepEqual(anon.problems, []);
	await anon.context.close();

	// The owner still sees it.
	await page.goto(`${server.baseUrl}/${SETTLED}`);
	await page.getByText("private", { exact: true }).waitFor();
	await page.getByRole("region", { name: "Model card" }).getByText("Settings test").waitFor();

	// Public again, at phone width.
	await page.setViewportSize({ width: 390, height: 844 });
	await page.goto(`${server.baseUrl}/${SETTLED}/settings`);
	await page.getByLabel("Public: anyone can see it").check();
	await page.getByRole("button", { name: "Save visibility" }).click();
	await page.getByRole("status").filter({ hasText: "The repository is now public." }).waitFor();
	await assertNoSidewaysScroll(page, "the settings page");
	await page.goto(`${server.baseUrl}/${CARD}/edit/main/README.md`);
	await page.getByLabel("Content of README.md").waitFor();
	await assertNoSidewaysScroll(page, "the card editor");
	assert.equal(await status("GET", `/api/models/${SETTLED}`), 200);
	assert.deepEqual(problems, []);
	await context.close();
});

test("gating with manual approval: bob asks on the card page, alice accepts in the settings, bob downloads", async () => {
	const alice = await newPage();
	await signIn(alice.page);
	await alice.page.goto(`${server.baseUrl}/${SETTLED}/settings`);
	await alice.page.getByLabel("Manual approval: you review each request").check();
	await alice.page.getByRole("button", { name: "Save gating" }).click();
	await alice.page.getByRole("status").filter({ hasText: "you accept or reject each request" }).waitFor();
	assert.equal((await api("GET", `/api/models/${SETTLED}`)).gated, "manual");
	const file = `/${SETTLED}/resolve/main/weights.bin`;
	assert.equal(await status("GET", file, server.tokens.bob), 403, "bob may not download before");
	// The card's extra_gated_prompt is shown above the request form, as text (never as HTML).
	await commit(SETTLED, "a prompt for requests", {
		"README.md": '---\nextra_gated_prompt: "Agree to <b>the terms</b> first."\n---\n# Settings test\n',
	});

	// An anonymous visitor is told to sign in.
	const anon = await newPage();
	await anon.page.goto(`${server.baseUrl}/${SETTLED}`);
	const anonGate = anon.page.getByRole("region", { name: "Gated repository" });
	await anonGate.getByText("to request access").waitFor();
	await anonGate.getByRole("link", { name: "Sign in" }).waitFor();
	assert.equal(await anonGate.getByRole("button", { name: "Request access" }).count(), 0);
	await anon.context.close();

	// bob may not manage the repository: its settings page says what the hub says.
	const bob = await newPage();
	await signIn(bob.page, server.tokens.bob);
	await bob.page.goto(`${server.baseUrl}/${SETTLED}/settings`);
	await bob.page.getByRole("alert").getByText("You may not change the settings of this repository").waitFor();
	assert.equal(await bob.page.getByRole("button", { name: "Save visibility" }).count(), 0);

	// bob asks from the card page, with a reason.
	await bob.page.goto(`${server.baseUrl}/${SETTLED}`);
	const gate = bob.page.getByRole("region", { name: "Gated repository" });
	await gate.locator(".gate-prompt").getByText("Agree to <b>the terms</b> first.", { exact: true }).waitFor();
	assert.equal(await gate.locator(".gate-prompt b").count(), 0, "the prompt is text, not HTML");
	await gate.getByLabel("Why do you need access? (optional)").fill("to <i>evaluate</i> it");
	await gate.getByRole("button", { name: "Request access" }).click();
	await gate.getByText("Your request is pending.").waitFor();
	await gate.getByText("is awaiting a review from the repo authors").waitFor();
	await bob.page.reload();
	await gate.getByText("Your request is pending.").waitFor();
	assert.equal(await gate.getByRole("button", { name: "Request access" }).count(), 0, "no second request while pending");
	assert.equal(await status("GET", file, server.tokens.bob), 403, "still refused while pending");

	// alice sees the request, with bob's reason as text, and accepts it.
	await alice.page.goto(`${server.baseUrl}/${SETTLED}/settings`);
	const pending = alice.page.getByRole("list", { name: /Pending/ });
	await pending.getByText("bob").waitFor();
	await pending.getByText("to <i>evaluate</i> it").waitFor();
	await shot(alice.page, "settings");
	await pending.getByRole("button", { name: "Accept bob" }).click();
	await alice.page.getByRole("status").filter({ hasText: "bob was accepted." }).waitFor();
	await alice.page.getByRole("list", { name: /Accepted/ }).getByText("bob").waitFor();
	await alice.page.getByRole("heading", { name: "Pending (0)" }).waitFor();
	assert.equal(await status("GET", file, server.tokens.bob), 200, "bob downloads once accepted");

	await bob.page.reload();
	await gate.getByText("You have access to this repository's files.").waitFor();

	// A grant without a request, and a refusal the hub words.
	await alice.page.getByLabel("Grant access to a user").fill("nobody-here");
	await alice.page.getByRole("button", { name: "Grant access" }).click();
	await alice.page.getByRole("alert").getByText("no user named nobody-here").waitFor();
	assert.deepEqual(alice.problems, []);
	assert.deepEqual(bob.problems, []);
	await alice.context.close();
	await bob.context.close();
});

test("rename lands on the new URL; delete needs the full id typed, then the repository is gone", async () => {
	const { context, page, problems } = await newPage();
	await signIn(page);
	await page.goto(`${server.baseUrl}/${SETTLED}/settings`);
	const renameTo = page.getByLabel("New id (namespace/name)");
	await renameTo.fill("alice/pub-renamed");
	await page.getByRole("button", { name: "Rename", exact: true }).click();
	await page.waitForURL(`${server.baseUrl}/alice/pub-renamed`);
	await page.getByRole("heading", { level: 1, name: "alice/pub-renamed" }).waitFor();
	await page.getByRole("region", { name: "Model card" }).getByText("Settings test").waitFor();
	assert.equal((await api("GET", "/api/models/alice/pub-renamed")).id, "alice/pub-renamed");

	// A name taken: the hub's 409, in an alert.
	await page.goto(`${server.baseUrl}/alice/pub-renamed/settings`);
	await renameTo.fill(CARD);
	await page.getByRole("button", { name: "Rename", exact: true }).click();
	await page.getByRole("alert").getByText(`A model repository called ${CARD} already exists`).waitFor();

	const confirm = page.getByLabel("Type alice/pub-renamed to confirm");
	const remove = page.getByRole("button", { name: "Delete alice/pub-renamed" });
	assert.equal(await remove.isDisabled(), true, "disabled before anything is typed");
	await confirm.fill("pub-renamed");
	assert.equal(await remove.isDisabled(), true, "the name alone is not enough");
	await confirm.fill("alice/pub-renamed ");
	assert.equal(await remove.isDisabled(), true, "the id exactly");
	await confirm.fill("alice/pub-renamed");
	assert.equal(await remove.isDisabled(), false);
	await confirm.press("Enter");
	await page.getByRole("status").getByText("alice/pub-renamed was deleted.").waitFor();
	assert.equal(await status("GET", "/api/models/alice/pub-renamed", server.tokens.alice), 404);
	assert.equal(await status("GET", "/alice/pub-renamed/resolve/main/weights.bin", server.tokens.alice), 404);
	await page.goto(`${server.baseUrl}/alice/pub-renamed`);
	await page.getByRole("alert").getByText("This repository does not exist").waitFor();
	assert.deepEqual(problems, []);
	await context.close();
});

test("a dataset's settings with a password session (CSRF token): gating, then delete", async () => {
	await api("POST", "/api/repos/create", { name: "pub-data", type: "dataset" });
	const { context, page, problems } = await newPage();
	await signInWithPassword(page);
	await page.goto(`${server.baseUrl}/datasets/alice/pub-data`);
	await page.getByRole("navigation", { name: "Repository" }).getByRole("link", { name: "Settings" }).click();
	await page.waitForURL(`${server.baseUrl}/datasets/alice/pub-data/settings`);
	await page.getByLabel("Automatic approval: signed-in users get access when they ask").check();
	await page.getByRole("button", { name: "Save gating" }).click();
	await page.getByRole("status").filter({ hasText: "requests are accepted automatically" }).waitFor();
	assert.equal((await api("GET", "/api/datasets/alice/pub-data")).gated, "auto");
	await page.getByLabel("Type alice/pub-data to confirm").fill("alice/pub-data");
	await page.getByRole("button", { name: "Delete alice/pub-data" }).click();
	await page.getByRole("status").getByText("alice/pub-data was deleted.").waitFor();
	assert.equal(await status("GET", "/api/datasets/alice/pub-data", server.tokens.alice), 404);
	assert.deepEqual(problems, []);
	await context.close();
});

docsScreenshots(["edit-card", "settings"]);

test("files on a branch: upload into the folder shown, delete a file from its page; none of it on tags or for visitors", async () => {
	const REPO = "alice/pub-branch";
	await api("POST", "/api/repos/create", { name: "pub-branch" });
	await commit(REPO, "add docs", { "docs/a.txt": "file a\n", "docs/b.txt": "file b\n" });
	await api("POST", `/api/models/${REPO}/branch/dev`, {});
	await api("POST", `/api/models/${REPO}/tag/main`, { tag: "v1" });
	const { context, page, problems } = await newPage();
	await signIn(page);

	// Upload into docs/ on dev from the tree page.
	await page.goto(`${server.baseUrl}/${REPO}/tree/dev/docs`);
	const listing = page.getByRole("region", { name: "Files in docs" });
	await listing.getByRole("link", { name: "a.txt", exact: true }).waitFor();
	const upload = page.getByRole("region", { name: "Upload files" });
	await upload.getByText("on the branch dev").waitFor();
	await upload.getByLabel("Choose files").setInputFiles({ name: "c.txt", mimeType: "text/plain", buffer: Buffer.from("file c\n") });
	await upload.getByLabel("Commit message").fill("add c on dev");
	await upload.getByRole("button", { name: "Upload" }).click();
	await upload.getByRole("status").getByText("Committed “add c on dev” into docs/ on dev: 1 file.").waitFor({ timeout: 30000 });
	await listing.getByRole("link", { name: "c.txt", exact: true }).waitFor();
	const c = await fetch(`${server.baseUrl}/${REPO}/resolve/dev/docs/c.txt`);
	assert.equal(await c.text(), "file c\n", "the file landed in docs/ on dev");
	assert.equal(await status("GET", `/${REPO}/resolve/main/docs/c.txt`), 404, "main is untouched");
	assert.equal((await api("GET", `/api/models/${REPO}/commits/dev`))[0].title, "add c on dev");

	// A tag cannot take commits: no upload panel there, nor a delete button on its files.
	await page.goto(`${server.baseUrl}/${REPO}/tree/v1/docs`);
	await listing.getByRole("link", { name: "a.txt", exact: true }).waitFor();
	await page.getByRole("region", { name: "Branches and tags" }).getByRole("link", { name: "v1", exact: true }).waitFor();
	assert.equal(await page.getByRole("region", { name: "Upload files" }).count(), 0, "no upload panel on a tag");
	await page.goto(`${server.baseUrl}/${REPO}/blob/v1/docs/a.txt`);
	await page.locator("pre.code .line", { hasText: "file a" }).waitFor();
	assert.equal(await page.getByRole("button", { name: "Delete file…" }).count(), 0, "no delete on a tag");

	// Delete docs/a.txt from dev, with the keyboard through the confirmation.
	await page.goto(`${server.baseUrl}/${REPO}/blob/dev/docs/a.txt`);
	await page.locator("pre.code .line", { hasText: "file a" }).waitFor();
	await page.getByRole("button", { name: "Delete file…" }).click();
	const message = page.getByLabel("Commit message");
	await message.waitFor();
	assert.equal(await message.inputValue(), "Delete docs/a.txt");
	assert.ok(await message.evaluate((el) => el === document.activeElement), "the confirmation takes the focus");
	await page.getByRole("button", { name: "Delete a.txt" }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/tree/dev/docs`);
	await listing.getByRole("link", { name: "b.txt", exact: true }).waitFor();
	assert.equal(await listing.getByRole("link", { name: "a.txt", exact: true }).count(), 0, "a.txt is gone from dev's listing");
	assert.equal(await status("GET", `/${REPO}/resolve/dev/docs/a.txt`), 404);
	assert.equal(await status("GET", `/${REPO}/resolve/main/docs/a.txt`), 200, "main still has it");
	assert.equal((await api("GET", `/api/models/${REPO}/commits/dev`))[0].title, "Delete docs/a.txt");

	// Delete the folder docs/ on dev from its listing.
	await page.getByRole("button", { name: "Delete folder…" }).click();
	assert.equal(await page.getByRole("region", { name: "Delete this folder" }).getByLabel("Commit message").inputValue(), "Delete docs/");
	await page.getByRole("button", { name: "Delete docs/" }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/tree/dev`);
	await page.getByRole("region", { name: "Files in the repository's root" }).getByRole("link", { name: ".gitattributes", exact: true }).waitFor();
	assert.equal(await page.getByRole("link", { name: "docs/" }).count(), 0, "docs/ is gone from dev");
	assert.equal(await status("GET", `/${REPO}/resolve/dev/docs/b.txt`), 404);
	assert.equal(await status("GET", `/${REPO}/resolve/main/docs/b.txt`), 200, "main still has it");
	assert.equal((await api("GET", `/api/models/${REPO}/commits/dev`))[0].title, "Delete docs/");
	assert.deepEqual(problems, [], "no console or page errors");
	await context.close();

	// A visitor sees neither the upload panel nor the delete buttons.
	const visitor = await newPage();
	await visitor.page.goto(`${server.baseUrl}/${REPO}/tree/main/docs`);
	await visitor.page.getByRole("region", { name: "Files in docs" }).getByRole("link", { name: "b.txt", exact: true }).waitFor();
	assert.equal(await visitor.page.getByRole("region", { name: "Upload files" }).count(), 0);
	assert.equal(await visitor.page.getByRole("button", { name: "Delete folder…" }).count(), 0);
	await visitor.page.goto(`${server.baseUrl}/${REPO}/blob/main/docs/b.txt`);
	await visitor.page.locator("pre.code .line", { hasText: "file b" }).waitFor();
	assert.equal(await visitor.page.getByRole("button", { name: "Delete file…" }).count(), 0);
	assert.deepEqual(visitor.problems, []);
	await visitor.context.close();
});

test("branches and tags from the files page: create from the revision shown, delete after a confirmation, never main", async () => {
	const REPO = "alice/pub-refs";
	await api("POST", "/api/repos/create", { name: "pub-refs" });
	await commit(REPO, "add a file", { "a.txt": "a\n" });
	const head = (await api("GET", `/api/models/${REPO}/refs`)).branches.find((b) => b.name === "main").targetCommit;
	const { context, page, problems } = await newPage();
	await signIn(page);
	await page.goto(`${server.baseUrl}/${REPO}/tree/main`);
	const refs = page.getByRole("region", { name: "Branches and tags" });
	await refs.getByRole("link", { name: "main", exact: true }).waitFor();
	assert.equal(await refs.getByRole("button", { name: "Delete the branch main" }).count(), 0, "main cannot be deleted here");

	await refs.getByLabel("Name").fill("feature");
	await refs.getByRole("button", { name: "Create branch" }).click();
	await refs.getByRole("status").getByText("Created the branch feature at main.").waitFor();
	await refs.getByRole("link", { name: "feature", exact: true }).waitFor();
	await refs.getByRole("radio", { name: "Tag" }).check();
	await refs.getByLabel("Name").fill("v1");
	await refs.getByRole("button", { name: "Create tag" }).click();
	await refs.getByRole("link", { name: "v1", exact: true }).waitFor();
	let listed = await api("GET", `/api/models/${REPO}/refs`);
	assert.deepEqual(listed.branches.map((b) => [b.name, b.targetCommit]).sort(), [["feature", head], ["main", head]]);
	assert.deepEqual(listed.tags.map((t) => [t.name, t.targetCommit]), [["v1", head]]);
	// The same name again: the hub's refusal is shown.
	await refs.getByRole("radio", { name: "Branch" }).check();
	await refs.getByLabel("Name").fill("feature");
	await refs.getByRole("button", { name: "Create branch" }).click();
	await refs.getByRole("alert").waitFor();

	// Delete the tag, with the keyboard through the confirmation; then the branch shown.
	await page.goto(`${server.baseUrl}/${REPO}/tree/feature`);
	await refs.getByRole("button", { name: "Delete the tag v1" }).click();
	const yes = refs.getByRole("button", { name: "Yes, delete v1" });
	await yes.waitFor();
	assert.ok(await yes.evaluate((el) => el === document.activeElement), "the confirmation takes the focus");
	await page.keyboard.press("Enter");
	await refs.getByRole("status").getByText("Deleted the tag v1.").waitFor();
	assert.deepEqual((await api("GET", `/api/models/${REPO}/refs`)).tags, []);
	await refs.getByRole("button", { name: "Delete the branch feature" }).click();
	await refs.getByRole("button", { name: "Yes, delete feature" }).click();
	await page.waitForURL(`${server.baseUrl}/${REPO}/tree/main`);
	listed = await api("GET", `/api/models/${REPO}/refs`);
	assert.deepEqual(listed.branches.map((b) => b.name), ["main"]);
	const alerts = problems.filter((p) => !/409|Conflict/.test(p));
	assert.deepEqual(alerts, [], "no console or page errors but the refused duplicate");
	await context.close();

	// A visitor gets neither the form nor delete buttons.
	const visitor = await newPage();
	await visitor.page.goto(`${server.baseUrl}/${REPO}/tree/main`);
	await visitor.page.getByRole("region", { name: "Branches and tags" }).getByRole("link", { name: "main", exact: true }).waitFor();
	assert.equal(await visitor.page.getByRole("button", { name: /^Delete the / }).count(), 0);
	assert.equal(await visitor.page.getByRole("button", { name: /^Create / }).count(), 0);
	await visitor.context.close();
});

test("uploads with a password session (no token): a small file and a 12 MiB LFS file, progress, bytes intact", async () => {
	const REPO = "alice/pub-session-upload";
	await api("POST", "/api/repos/create", { name: "pub-session-upload" });
	const SMALL = "uploaded with a session\n";
	const BIG = seededBuffer("session-upload-big", 12 * 1024 * 1024);
	const { context, page, problems } = await newPage();
	await signInWithPassword(page);
	await page.goto(`${server.baseUrl}/${REPO}/tree/main`);
	const upload = page.getByRole("region", { name: "Upload files" });
	await upload.getByLabel("Choose files").setInputFiles([
		{ name: "small.txt", mimeType: "text/plain", buffer: Buffer.from(SMALL) },
		{ name: "big.bin", mimeType: "application/octet-stream", buffer: BIG },
	]);
	await upload.getByLabel("Commit message").fill("upload with a session");
	await upload.getByRole("button", { name: "Upload" }).click();
	await upload.getByRole("status").getByText("Committed “upload with a session”: 2 files.").waitFor({ timeout: 60000 });
	for (const name of ["small\\.txt", "big\\.bin"]) {
		assert.equal(await upload.getByRole("progressbar", { name: new RegExp(`^${name}`) }).evaluate((p) => p.value), 1);
	}
	assert.equal(await page.evaluate(() => localStorage.getItem("vitrine.token")), null, "no token was made or used");
	const commits = await api("GET", `/api/models/${REPO}/commits/main`);
	assert.equal(commits[0].title, "upload with a session");
	assert.equal(commits[0].authors[0].user, "alice");
	const info = await api("POST", `/api/models/${REPO}/paths-info/main`, { paths: ["big.bin"] });
	assert.equal(info[0]?.lfs?.size, BIG.length, "big.bin went through LFS");
	for (const [name, bytes] of [["small.txt", Buffer.from(SMALL)], ["big.bin", BIG]]) {
		const res = await fetch(`${server.baseUrl}/${REPO}/resolve/main/${name}`);
		assert.ok(Buffer.from(await res.arrayBuffer()).equals(bytes), `${name} downloads byte-identical`);
	}
	assert.deepEqual(problems, [], "no console or page errors");
	await context.close();
});
