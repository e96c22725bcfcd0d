/**
 * SHA-256 of a string's UTF-8 bytes, and base64: the report's Content-Security-Policy allows its inline script and
 * style by hash. Synchronous, because the report is rendered synchronously in Node and in the page (where
 * crypto.subtle is async only): @noble/hashes, audited and dependency-free, is the only importer's library here.
 */
import { sha256 as digest } from '@noble/hashes/sha2.js';

/** The 32-byte digest of `text` encoded as UTF-8. */
export const sha256 = (text: string): Uint8Array => digest(new TextEncoder().encode(text));

/** Standard base64 (with padding), as CSP hash sources take it. */
export const base64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
