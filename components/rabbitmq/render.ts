// Pure renderers for the controller's RabbitMQ.
import { installScript as installPackages } from "../shared/packages";

export function installScript(packages: readonly string[], service: string): string {
    return `${installPackages(packages)}
oslab_svc start ${service} || oslab_svc restart ${service}
# The broker needs a few seconds after start; wait until rabbitmqctl answers.
oslab_retry 60 rabbitmqctl -q status >/dev/null`;
}

/**
 * Set the service user's password. The password arrives on stdin, goes to a root-only
 * temporary file and is read from there (never argv), then the file is removed.
 */
export function passwordScript(user: string, setPassword: string): string {
    return `umask 077
pwfile=$(mktemp)
trap 'rm -f "$pwfile"' EXIT
cat > "$pwfile"
user=${user}
${setPassword}`;
}
