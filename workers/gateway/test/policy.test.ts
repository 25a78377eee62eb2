import type { GatewayRules } from "@edge-mcp/config";
import { describe, expect, it } from "vitest";
import { policyFor } from "../src/policy.ts";

const rules: GatewayRules = {
  aliases: {},
  rules: [
    { name: "alice", when: { sub: "dev|alice" }, allow: ["notes.*", "hello.*", "!notes.delete_note"] },
    { name: "bob", when: { sub: ["dev|bob", "dev|bobby"] }, allow: ["hello.*"] },
    { name: "auditors", when: { claim: { name: "https://edge-mcp.dev/roles", includes: "auditor" } }, allow: ["notes.list_*", "notes.search_notes"], scopes: ["tools.read"] },
    { name: "notes-admins", when: { claim: { name: "permissions", includes: "gateway:notes-admin" } }, allow: ["notes.*"] },
    { name: "no deletes for contractors", when: { scope: "contractor" }, allow: ["!*.delete_*"] },
  ],
};
const ALL = ["tools.read", "tools.write"];

describe("gateway rules (deny by default)", () => {
  it("lets nobody in whom no rule matches", () => {
    const policy = policyFor(rules, { subject: "dev|mallory", scopes: ALL });
    expect(policy.reaches("hello")).toBe(false);
    expect(policy.allows("hello", "echo")).toBe(false);
    expect(policy.matched).toEqual([]);
  });

  it("allows by server.* patterns and lets a ! pattern win", () => {
    const alice = policyFor(rules, { subject: "dev|alice", scopes: ALL });
    expect(alice.allows("notes", "add_note")).toBe(true);
    expect(alice.allows("notes", "delete_note")).toBe(false);
    expect(alice.allows("live-monitor", "start_task")).toBe(false);
    expect(alice.reaches("notes")).toBe(true);
    expect(alice.reaches("live-monitor")).toBe(false);
  });

  it("matches sub lists exactly (no prefix or case games)", () => {
    expect(policyFor(rules, { subject: "dev|bobby", scopes: ALL }).allows("hello", "echo")).toBe(true);
    expect(policyFor(rules, { subject: "dev|bo", scopes: ALL }).allows("hello", "echo")).toBe(false);
    expect(policyFor(rules, { subject: "DEV|BOB", scopes: ALL }).allows("hello", "echo")).toBe(false);
  });

  it("matches a single sub and a string claim by their whole value only (no substring games)", () => {
    expect(policyFor(rules, { subject: "dev|alice", scopes: ALL }).reaches("notes")).toBe(true);
    expect(policyFor(rules, { subject: "dev|ali", scopes: ALL }).reaches("notes")).toBe(false);
    const org: GatewayRules = { aliases: {}, rules: [{ when: { claim: { name: "org", includes: "acme" } }, allow: ["notes.*"] }] };
    expect(policyFor(org, { subject: "u", scopes: ALL, claims: { org: "acme" } }).reaches("notes")).toBe(true);
    expect(policyFor(org, { subject: "u", scopes: ALL, claims: { org: "acme-contractors" } }).reaches("notes")).toBe(false);
  });

  it("matches a roles claim (array) and Auth0 permissions from the verified claims", () => {
    const auditor = policyFor(rules, { subject: "auth0|x", scopes: ALL, claims: { "https://edge-mcp.dev/roles": ["auditor"] } });
    expect(auditor.allows("notes", "list_notes")).toBe(true);
    expect(auditor.allows("notes", "add_note")).toBe(false);
    const admin = policyFor(rules, { subject: "auth0|y", scopes: ALL, claims: { permissions: ["gateway:notes-admin"] } });
    expect(admin.allows("notes", "delete_note")).toBe(true);
    expect(policyFor(rules, { subject: "auth0|z", scopes: ALL, claims: { permissions: "gateway:notes-admin-not" } }).reaches("notes")).toBe(false);
  });

  it("a deny-only rule grants nothing by itself, and its deny applies across rules", () => {
    expect(policyFor(rules, { subject: "auth0|c", scopes: ["contractor"] }).reaches("notes")).toBe(false);
    const contractorAlice = policyFor(rules, { subject: "dev|alice", scopes: [...ALL, "contractor"], claims: { permissions: ["gateway:notes-admin"] } });
    expect(contractorAlice.allows("notes", "delete_note")).toBe(false);
    expect(contractorAlice.allows("notes", "add_note")).toBe(true);
  });

  it("narrows the scopes passed to backends when every matching rule narrows, and caps the tools it offers", () => {
    const auditor = policyFor(rules, { subject: "auth0|x", scopes: ALL, claims: { "https://edge-mcp.dev/roles": ["auditor"] } });
    expect(auditor.scopes).toEqual(["tools.read"]);
    expect(auditor.permits(["tools.read"])).toBe(true);
    expect(auditor.permits(["tools.write"])).toBe(false);
    expect(auditor.permits(["tools.read", "tools.write"])).toBe(false); // every scope a tool needs, not one of them
    // Another matching rule without a scope list: no narrowing.
    const both = policyFor(rules, { subject: "auth0|x", scopes: ALL, claims: { "https://edge-mcp.dev/roles": ["auditor"], permissions: ["gateway:notes-admin"] } });
    expect(both.scopes).toEqual(ALL);
    expect(both.permits(["tools.write"])).toBe(true);
  });

  it("treats pattern characters literally apart from *", () => {
    const literal: GatewayRules = { aliases: {}, rules: [{ when: { sub: "u" }, allow: ["notes.list.notes"] }] };
    const policy = policyFor(literal, { subject: "u", scopes: ALL });
    expect(policy.allows("notes", "list.notes")).toBe(true);
    expect(policy.allows("notes", "listXnotes")).toBe(false);
  });

  it("decides prompts and resources by their own patterns: a tool allowed exposes none, a deny in any matching rule wins", () => {
    const own: GatewayRules = {
      aliases: {},
      rules: [
        { when: { sub: "u" }, allow: ["conformance.test_simple_text", "hello.*"], prompts: ["conformance.*", "hello.greet"], resources: ["hello.*"] },
        { when: { sub: "u" }, allow: ["!conformance.*"], prompts: ["!conformance.*"] },
      ],
    };
    const policy = policyFor(own, { subject: "u", scopes: ALL });
    expect(policy.allows("conformance", "test_simple_text")).toBe(false);
    expect(policy.reaches("conformance")).toBe(false); // its tools are denied whole
    expect(policy.reaches("conformance", "prompts")).toBe(false);
    expect(policy.allowsItem("prompts", "conformance", "test_simple_prompt")).toBe(false);
    expect(policy.reaches("conformance", "resources")).toBe(false); // no resource pattern names it
    expect(policy.allowsItem("prompts", "hello", "greet")).toBe(true);
    expect(policy.allowsItem("prompts", "hello", "other")).toBe(false);
    expect(policy.allowsItem("resources", "hello", "readme")).toBe(true);
    expect(policyFor({ aliases: {}, rules: [{ when: { sub: "t" }, allow: ["notes.*"] }] }, { subject: "t", scopes: ALL }).reaches("notes", "prompts")).toBe(false);
  });
});
