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

export const KNOWN_FAILURES: readonly KnownFailure[] = [
    {
        release: "epoxy",
        test: "tempest.api.identity.admin.v3.test_credentials.CredentialsTestJSON.test_credentials_create_get_update_delete",
        reason:
            "Debian 13's keystone 2:27.0.0-3+deb13u6 (security update for CVE-2026-90460, Launchpad bug 2159643, " +
            "Debian bugs 1149303 and 1149956; its changelog.Debian) accepts only `blob` in PATCH /v3/credentials/{id} " +
            "(keystone/credential/schema.py update_request_body: additionalProperties false), while Tempest 43.0.0's " +
            "test (and upstream Tempest's) also sends project_id and type: HTTP 400",
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
