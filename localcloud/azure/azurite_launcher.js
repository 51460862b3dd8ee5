"use strict";
// Runs Azurite's blob service with write-through persistence.
//
// Azurite keeps its blob index in LokiJS databases that are saved to disk every 5 seconds, so
// a process killed in between loses the index of what was written last (the bytes stay, but
// nothing points at them). This launcher delays the reply to every request that changed an
// index until that index is on disk, so whatever a client was told is stored survives
// `kill -9`. Saves are grouped: requests that finish while a save runs share the next one.
//
// Usage: node azurite_launcher.js <azurite package folder> <azurite-blob arguments...>

const path = require("path");
const http = require("http");
const Module = require("module");

const [azuriteArg, ...azuriteArgs] = process.argv.slice(2);
if (!azuriteArg) {
  console.error("usage: node azurite_launcher.js <azurite package folder> [azurite-blob args]");
  process.exit(2);
}
const azuriteDir = path.resolve(azuriteArg);

// Modules Azurite loads but never uses here: telemetry (started only when enabled, and kept off
// so that nothing leaves the machine) and the SQL metadata store (the twin uses LokiJS files).
// Stand-ins load instantly and fail loudly if anything ever calls them.
function unavailable(name) {
  const fail = () => {
    throw new Error(`lakelab: ${name} is not available in the local twin`);
  };
  return new Proxy(fail, { get: (_, prop) => (prop === "__esModule" ? undefined : fail) });
}
const STAND_INS = {
  applicationinsights: unavailable("telemetry"),
  sequelize: new Proxy(
    { Model: class Model {} },
    {
      get: (target, prop) =>
        prop in target ? target[prop] : prop === "__esModule" ? undefined : unavailable("SQL metadata"),
    },
  ),
};
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (Object.prototype.hasOwnProperty.call(STAND_INS, request)) {
    return STAND_INS[request];
  }
  return load.call(this, request, parent, isMain);
};

const Loki = require(require.resolve("lokijs", { paths: [azuriteDir] }));
const databases = new Set();
const getCollection = Loki.prototype.getCollection;
Loki.prototype.getCollection = function (name) {
  if (this.persistenceMethod === "fs") {
    databases.add(this);
  }
  return getCollection.call(this, name);
};

const dirty = () => [...databases].filter((db) => db.autosaveDirty());
let waiting = [];
let saving = false;

function flush() {
  if (saving || waiting.length === 0) {
    return;
  }
  saving = true;
  const replies = waiting;
  waiting = [];
  const pending = dirty();
  let left = pending.length;
  const done = () => {
    saving = false;
    for (const reply of replies) {
      reply();
    }
    flush();
  };
  if (left === 0) {
    done();
    return;
  }
  for (const db of pending) {
    db.saveDatabase((err) => {
      if (err) {
        console.error(`lakelab: saving ${db.filename} failed: ${err}`);
      }
      left -= 1;
      if (left === 0) {
        done();
      }
    });
  }
}

const end = http.ServerResponse.prototype.end;
const READS = new Set(["GET", "HEAD", "OPTIONS"]);
http.ServerResponse.prototype.end = function (...args) {
  const method = this.req ? this.req.method : undefined;
  if (method && !READS.has(method) && dirty().length > 0) {
    waiting.push(() => end.apply(this, args));
    flush();
    return this;
  }
  return end.apply(this, args);
};

const main = path.join(azuriteDir, "dist", "src", "blob", "main.js");
process.argv = [process.argv[0], main, ...azuriteArgs];
require(main);
