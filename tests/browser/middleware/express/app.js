// Express with the `cors` package in the configuration named by CP_CONFIG, on 127.0.0.1:CP_PORT.
"use strict";
const express = require("express");
const cors = require("cors");

const allowed = process.env.CP_ALLOWED_ORIGIN;
const other = "https://admin.example";
const app = express();

const configs = {
  // cors({origin: ALLOWED, credentials: true})
  "allow-list-credentials": () => app.use(cors({origin: allowed, credentials: true})),
  // cors() defaults: `*`, every method, request headers reflected
  "defaults": () => app.use(cors()),
  // an array of origins: the package matches the request's Origin and echoes it
  "origin-array": () => app.use(cors({origin: [allowed, other]})),
  // hand-written: the allow-list joined into one header; OPTIONS left to Express (200, Allow)
  "hand-written-joined": () => app.use((req, res, next) => {
    res.set("Access-Control-Allow-Origin", [allowed, other].join(", "));
    next();
  }),
};
configs[process.env.CP_CONFIG]();

app.use(express.json());
app.get("/api/items", (req, res) => res.json([{id: 1}]));
app.post("/api/items", (req, res) => res.status(201).json({id: 2}));
app.put("/api/items/1", (req, res) => res.json({id: 1}));
app.delete("/api/items/1", (req, res) => res.status(204).end());
app.get("/api/fail", (req, res) => res.status(500).json({error: "boom"}));

app.listen(Number(process.env.CP_PORT), "127.0.0.1");
