/* Decision records and runc-format error reporting.
 *
 * audit_record() appends one JSON line per decision to the policy's audit log
 * (single O_APPEND write, so concurrent secshims never interleave) and
 * optionally to syslog.  report_refusal() tells the person who typed
 * `docker run` why: one runc-format line appended to the --log file
 * ({"level":"error","msg":"secshim: ...","time":"<RFC3339>"}, or logrus text
 * with --log-format text) and the message on stderr.  Nothing here writes to
 * stdout. */
#ifndef SECSHIM_AUDIT_H
#define SECSHIM_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "secshim/error.h"
#include "secshim/policy.h"

struct audit_event
{
  const char *verb;
  const char *container_id;
  const char *bundle;          /* or the process.json path for exec */
  const struct policy *policy; /* may be NULL when the policy failed to load */
  const char *policy_path;
  const struct findings *findings; /* may be NULL */
  const char *outcome;             /* "allowed", "rewritten", "refused", "error" */
  const char *error;               /* message when outcome is refused/error, else NULL */
};

/* What the document says about its caller, for the record of this
 * process's one decision: the engine ("docker", "podman", "cri", "oci") and
 * the image name when an annotation carries it (NULL when not known). */
void audit_describe (const char *engine, const char *image);

/* Writes the decision's JSON line (audit.log, audit.syslog) and its Linux
 * audit record (audit.linux, src/audit/linux.c).  Both are tried; a failure
 * of either is returned, and the caller applies audit.onFailure
 * (audit_failure_refuses). */
int audit_record (const struct audit_event *ev, secshim_error_t *err);

/* The decision's JSON line (docs/audit.md, schema version 2) without its
 * newline, as audit_record() writes it at time `now` (RFC 3339) on `host`
 * (NULL: no "host" field); malloc'd, its length in *len.  NULL when a
 * value secshim writes as it is (verb, policy path, outcome) is not UTF-8. */
char *audit_json_line (const struct audit_event *ev, const char *now, const char *host, size_t *len);

/* The record's "time": RFC 3339 in UTC with microseconds
 * (2026-12-07T21:13:22.123456Z) of sec and nsec since the epoch. */
#define AUDIT_TIME_MAX 96
void audit_format_time (int64_t sec, long nsec, char buf[AUDIT_TIME_MAX]);

/* True when the policy says a decision that cannot be recorded must not
 * start the container: audit.onFailure "refuse", the default, and the
 * answer when there is no policy. */
bool audit_failure_refuses (const struct policy *p);

/* The Linux audit record (AUDIT_USER through libaudit, docs/audit.md).
 * Returns 1 written, 0 not wanted (audit.linux false, or absent and no
 * auditd registered with the kernel, or a decision with nothing to say),
 * -1 when it was wanted and could not be written (err set). */
int audit_linux_record (const struct audit_event *ev, secshim_error_t *err);

/* The record's text as sent to the kernel, before the exe=, hostname=,
 * addr=, terminal= and res= fields libaudit appends; malloc'd, or NULL
 * when the decision is not recorded (allowed with no finding). */
char *audit_linux_message (const struct audit_event *ev);

/* res=success (1) or res=failed (0) for the outcome. */
int audit_linux_result (const struct audit_event *ev);

/* log_path / log_format from runc's global --log / --log-format (NULL ok). */
void report_refusal (const char *log_path, const char *log_format, const char *message);

/* A warn-action finding: a "warning" line in the --log file when there is
 * one (containerd reads only error lines, so it never fails a start), else
 * on stderr. */
void report_warning (const char *log_path, const char *log_format, const char *message);

/* Escape s as a JSON string body into a malloc'd buffer (invalid UTF-8 bytes
 * as \u00XX-style hex escapes of the byte value, control characters escaped). */
char *json_escape_for_log (const char *s);

#endif
