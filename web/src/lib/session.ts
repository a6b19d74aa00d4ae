// Who is signed in, as the hub answers /api/whoami-v2 (token or session cookie).
import { writable } from "svelte/store";
import { whoami, type Me } from "./api";

export const me = writable<Me | null>(null);

export async function refreshSession(): Promise<void> {
  try {
    me.set(await whoami());
  } catch {
    me.set(null);
  }
}
