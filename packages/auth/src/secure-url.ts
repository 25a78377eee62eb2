import { z } from "zod";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

function isSecure(url: URL): boolean {
  return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname));
}

/** An https URL, or http on loopback only (the local dev authorization server and workers). */
export const SecureUrlSchema = z
  .string()
  .refine((value) => URL.canParse(value) && isSecure(new URL(value)), "must be an https URL (http is allowed only on localhost)");

/**
 * A resource identifier (RFC 8707 §2, RFC 9728 §1.2): a secure absolute URL with no fragment;
 * edge-mcp also refuses a query, so the identifier, the audience and the URL clients use agree.
 */
export const ResourceUrlSchema = z.string().refine((value) => {
  if (!URL.canParse(value) || value.includes("#")) return false;
  const url = new URL(value);
  return isSecure(url) && url.search === "";
}, "must be an https URL without query or fragment (http is allowed only on localhost)");
