// Pure renderers for the controller's MySQL/MariaDB.

/**
 * SQL run once after install: remove the anonymous accounts Ubuntu's MySQL 5.5 creates
 * (''@'localhost', ''@'<hostname>'); they shadow the services' '%' accounts for
 * connections from the controller itself. Works on MySQL 5.5 and MariaDB 10.11.
 */
export const SECURE_SQL = "DELETE FROM mysql.user WHERE User = ''; FLUSH PRIVILEGES;";

/** Start (or restart after a config change) and wait until the server answers as root. */
export function restartScript(service: string, bindAddress: string): string {
    return `oslab_svc restart ${service}
oslab_retry 30 mysql -u root -e 'SELECT 1' >/dev/null
oslab_wait_tcp ${bindAddress} 3306 60
mysql -u root <<'SQL'
${SECURE_SQL}
SQL`;
}
