// `pnpm --filter @lapse/api proof:keygen [--name NAME]`: prints a new signing key for the
// transparency log (R11) with its verifier key, and a new erasure key (R13), for
// `wrangler secret put PROOF_SIGNING_KEY` and `wrangler secret put ERASURE_KEY` (README: deploy).
import { defineCli } from "@lapse/dev/cli";
import { generateProofKeys } from "./proof-keys.ts";

const cli = defineCli({
  name: "proof:keygen",
  usage: "pnpm --filter @lapse/api proof:keygen [--name NAME]",
  summary: [
    "Prints a new Ed25519 signer key (the PROOF_SIGNING_KEY secret), its verifier key (public:",
    "served at /.well-known/lapse-proof-key) and a new ERASURE_KEY. Nothing is written anywhere.",
  ].join("\n"),
  options: {
    name: {
      type: "string",
      placeholder: "NAME",
      default: "lapse.example",
      description: "the key name: use your PROOF_ORIGIN (no spaces, no '+')",
    },
  },
});

const { name } = cli.parse();
const keys = (() => {
  try {
    return generateProofKeys(name);
  } catch (error) {
    return cli.fail((error as Error).message);
  }
})();
console.log(`PROOF_SIGNING_KEY=${keys.signerKey}
ERASURE_KEY=${keys.erasureKey}

# Public, for verifiers (listed at /.well-known/lapse-proof-key once deployed):
# verifier key: ${keys.verifierKey}
#
# Set the secrets (each command prompts for the value):
#   pnpm --filter @lapse/api exec wrangler secret put PROOF_SIGNING_KEY
#   pnpm --filter @lapse/api exec wrangler secret put ERASURE_KEY
# When rotating, add the old verifier key to PROOF_VERIFIER_KEYS (docs/proof.md: rotation).`);
