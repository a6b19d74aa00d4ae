import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import { startRouter } from "./lib/router";
import { refreshSession } from "./lib/session";

startRouter();
void refreshSession();
mount(App, { target: document.getElementById("app")! });
