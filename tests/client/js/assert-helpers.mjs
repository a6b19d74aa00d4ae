import assert from "node:assert/strict";
import { HubApiError } from "@huggingface/hub";

/** Await `promise`, expect a HubApiError with this HTTP status (and message matching `re`). */
export async function rejectsWith(promise, status, re) {
	let err;
	try {
		await promise;
	} catch (e) {
		err = e;
	}
	assert.ok(err, `expected an error with status ${status}, but the call succeeded`);
	assert.ok(err instanceof HubApiError, `expected HubApiError(${status}), got ${err?.constructor?.name}: ${err?.message}`);
	assert.equal(err.statusCode, status, `expected status ${status}, got ${err.statusCode}: ${err.message}`);
	if (re) assert.match(err.message, re);
	return err;
}

/** Expect a 4xx HubApiError (any status in [400, 500)). */
export async function rejects4xx(promise) {
	let err;
	try {
		await promise;
	} catch (e) {
		err = e;
	}
	assert.ok(err, "expected a 4xx error, but the call succeeded");
	assert.ok(err instanceof HubApiError, `expected HubApiError, got ${err?.constructor?.name}: ${err?.message}`);
	assert.ok(err.statusCode >= 400 && err.statusCode < 500, `expected 4xx, got ${err.statusCode}: ${err.message}`);
	return err;
}

export function assertBytesEqual(actual, expected, what) {
	assert.equal(actual.length, expected.length, `${what}: length ${actual.length} != ${expected.length}`);
	assert.ok(Buffer.compare(actual, expected) === 0, `${what}: bytes differ`);
}

export const HEX40 = /^[0-9a-f]{40}$/;
