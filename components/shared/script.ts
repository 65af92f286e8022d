// Shell script renderers for remote steps. Pure functions: plain values in, bash out.
//
// Every remote step runs `preamble() + body`: strict mode, and a few functions that make
// steps idempotent and portable across the hosts we target — Ubuntu 12.04 (upstart),
// Debian 12 (systemd) and the lab's hosts (no init system at all: init scripts).
import * as fs from "fs";
import * as path from "path";

/** Quote a string for bash (single quotes). */
export function shq(s: string | number): string {
    const v = String(s);
    if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(v)) {
        return v;
    }
    return `'${v.replace(/'/g, `'"'"'`)}'`;
}

/** State directory on every host (file backups, markers, locks). */
export const HOST_STATE_DIR = "/var/lib/openstack-lab";

/**
 * Functions every step may call:
 * - oslab_install PKG…   install missing packages (no-op when all are installed), serialised
 *                        per host with flock so parallel steps never fight over dpkg, and
 *                        waiting (≤ 10 min) for dpkg's own lock when another apt runs.
 * - oslab_purge PKG…     remove packages this program installed (destroy).
 * - oslab_svc ACTION SVC…  start/stop/restart through systemd, upstart or the init script.
 * - oslab_wait_tcp HOST PORT [SECONDS]  wait until a TCP port accepts connections.
 * - oslab_retry N CMD…   run CMD up to N times, 2 s apart.
 */
export function preamble(): string {
    return `set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
mkdir -p ${HOST_STATE_DIR}
oslab_install() {
  local missing=() p
  for p in "$@"; do dpkg-query -W -f='\${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  [ \${#missing[@]} -eq 0 ] && return 0
  (
    flock 9
    if [ ! -f ${HOST_STATE_DIR}/apt-updated ] || [ -n "$(find /etc/apt -newer ${HOST_STATE_DIR}/apt-updated -name '*.list' -o -newer ${HOST_STATE_DIR}/apt-updated -name '*.sources' | head -n1)" ]; then
      apt-get update -q -o DPkg::Lock::Timeout=600 >/dev/null && touch ${HOST_STATE_DIR}/apt-updated
    fi
    apt-get install -y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confold "\${missing[@]}" >/dev/null
    printf '%s\\n' "\${missing[@]}" >> ${HOST_STATE_DIR}/installed-packages
  ) 9>${HOST_STATE_DIR}/apt.lock
}
oslab_purge() {
  local p s keep=()
  [ -f ${HOST_STATE_DIR}/installed-packages ] || return 0
  for p in "$@"; do grep -qx "$p" ${HOST_STATE_DIR}/installed-packages && keep+=("$p"); done
  [ \${#keep[@]} -eq 0 ] && return 0
  # stop their services first: maintainer scripts may not (policy-rc.d), and a service
  # left running keeps its database sessions and ports
  for s in $(dpkg -L "\${keep[@]}" 2>/dev/null | sed -n 's#^/etc/init\\.d/##p' | sort -u); do
    oslab_svc stop "$s" >/dev/null 2>&1 || true
  done
  ( flock 9; apt-get purge -y -q "\${keep[@]}" >/dev/null 2>&1 || true ) 9>${HOST_STATE_DIR}/apt.lock
}
oslab_svc() {
  local action=$1 s; shift
  for s in "$@"; do
    if [ -d /run/systemd/system ]; then systemctl "$action" "$s"
    elif command -v initctl >/dev/null 2>&1 && [ -f "/etc/init/$s.conf" ]; then
      case "$action" in restart) initctl restart "$s" 2>/dev/null || initctl start "$s" ;; *) initctl "$action" "$s" ;; esac
    else service "$s" "$action" >/dev/null; fi
  done
}
oslab_wait_tcp() {
  local _
  for _ in $(seq "\${3:-60}"); do (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0; sleep 1; done
  echo "timed out waiting for $1:$2" >&2; return 1
}
oslab_retry() {
  local n=$1 _; shift
  for _ in $(seq "$n"); do "$@" && return 0; sleep 2; done
  return 1
}
`;
}

/** Full script for a step: preamble + body. */
export function script(body: string): string {
    return `${preamble()}${body.trim()}\n`;
}

let editorSource: string | undefined;
/** The on-host file editor (python 2.7/3), shipped inside the command text. */
export function editorPy(): string {
    editorSource ??= fs.readFileSync(path.join(__dirname, "oslab-edit.py"), "utf8");
    return editorSource;
}

let apiSource: string | undefined;
/**
 * An on-host program with the helpers of components/shared/oslab-api.py (python
 * 2.7/3) in front of the script's own part `own` (its file's text): the keystone data
 * script and the demo program share them and still travel as one program.
 */
export function withApiPy(own: string): string {
    apiSource ??= fs.readFileSync(path.join(__dirname, "oslab-api.py"), "utf8");
    return `${apiSource.trimEnd()}\n\n\n${own}`;
}

export type FileMode = "replace" | "ini" | "block";

export interface FileTarget {
    /** Absolute path on the host. */
    readonly path: string;
    /** Octal mode, e.g. "0640". Unset: keep the packaged file's mode (0644 for new files). */
    readonly mode?: string;
    readonly owner?: string;
    readonly group?: string;
    /**
     * Set where another step edits the same file too (components/shared/uwsgi.ts): this edit
     * keeps its own backup of the file as it found it, under `<state>/layers/<layer>/`
     * (oslab-edit.py's OSLAB_STATE), so undoing it gives back the other step's edit, not the
     * packaged file. Edits of one file are undone in the reverse order of their first apply:
     * the layer's step depends on the other one. Unset: the packaged original under
     * /var/lib/openstack-lab/orig.
     */
    readonly layer?: string;
}

/** The editor run on `target` in `mode`, fd 3 from `fd3` (the spec, or nothing). */
function editorCall(mode: string, target: FileTarget, fd3: string): string {
    let state = "";
    if (target.layer !== undefined) {
        if (!/^[a-z0-9][a-z0-9-]*$/.test(target.layer)) {
            throw new Error(`file layer "${target.layer}" of ${target.path}: use lower-case letters, digits and -`);
        }
        state = `OSLAB_STATE="\${OSLAB_STATE:-${HOST_STATE_DIR}}/layers/${target.layer}" `;
    }
    return `py=$(command -v python3 || command -v python)
${state}"$py" - ${mode} ${shq(target.path)} ${fd3} <<'OSLAB_EDIT_PY'
${editorPy().trimEnd()}
OSLAB_EDIT_PY`;
}

/**
 * Script that applies a file change whose spec (JSON, may hold secrets) arrives on stdin.
 * The editor reads the spec from fd 3 so the heredoc can carry the program.
 */
export function fileApplyScript(mode: FileMode, target: FileTarget): string {
    return script(editorCall(mode, target, "3<&0"));
}

/** Script that undoes `fileApplyScript` (destroy): restore the original or remove ours. */
export function fileRestoreScript(target: FileTarget): string {
    return script(editorCall("restore", target, "3</dev/null"));
}

/** The JSON spec sent on stdin for a file change. */
export function fileSpec(
    mode: FileMode,
    target: FileTarget,
    payload: {
        content?: string;
        set?: Record<string, Record<string, string>>;
        removeSections?: readonly string[];
        block?: string;
        comment?: string;
    },
): string {
    const spec: Record<string, unknown> = {};
    if (mode === "replace") {
        spec.content = payload.content ?? "";
    }
    if (mode === "ini") {
        spec.set = payload.set ?? {};
        spec.remove_sections = payload.removeSections ?? [];
    }
    if (mode === "block") {
        spec.block = payload.block ?? "";
        spec.comment = payload.comment ?? "#";
    }
    for (const attr of ["mode", "owner", "group"] as const) {
        if (target[attr]) {
            spec[attr] = target[attr];
        }
    }
    return JSON.stringify(spec);
}
