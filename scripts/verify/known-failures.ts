// Tempest tests that fail on a release because the Tempest that release's Debian ships and
// the services it ships disagree, not because the cloud is wrong. `npm run verify` still runs
// them and counts them as failed; it prints each with its reason, and only a failure that is
// not listed here makes it exit non-zero. Every entry names the upstream change behind it.

export interface KnownFailure {
    readonly release: string;
    /** Tempest's test ID as `tempest run` prints it (no attributes in brackets). */
    readonly test: string;
    readonly reason: string;
}

const CREDENTIALS_UPDATE =
    "tempest.api.identity.admin.v3.test_credentials.CredentialsTestJSON.test_credentials_create_get_update_delete";

/** The same keystone security patch on both Debian releases; Tempest's test was not changed for it. */
const credentialsPatch = (keystone: string, schema: string, tempest: string) =>
    `Debian's keystone ${keystone} (security update for CVE-2026-90460, Launchpad bug 2159643, Debian bugs ` +
    `1149303 and 1149956; its changelog.Debian) accepts only \`blob\` in PATCH /v3/credentials/{id} ` +
    `(keystone/credential/schema.py ${schema}: additionalProperties false), while Tempest ${tempest}'s test ` +
    `(and upstream Tempest's) also sends project_id and type: HTTP 400`;

export const KNOWN_FAILURES: readonly KnownFailure[] = [
    {
        release: "zed",
        test: CREDENTIALS_UPDATE,
        reason: credentialsPatch("2:22.0.2-0+deb12u5 (Debian 12)", "credential_update", "33.0.0"),
    },
    {
        release: "epoxy",
        test: CREDENTIALS_UPDATE,
        reason: credentialsPatch("2:27.0.0-3+deb13u6 (Debian 13)", "update_request_body", "43.0.0"),
    },
];

/** Splits failed test IDs into the release's known failures and the rest. Pure. */
export function classifyFailures(
    release: string,
    failed: readonly string[],
    known: readonly KnownFailure[] = KNOWN_FAILURES,
): { known: KnownFailure[]; unknown: string[] } {
    const mine = known.filter((k) => k.release === release);
    const out = { known: [] as KnownFailure[], unknown: [] as string[] };
    for (const f of failed) {
        const k = mine.find((m) => m.test === f);
        if (k) {
            out.known.push(k);
        } else {
            out.unknown.push(f);
        }
    }
    return out;
}
