/* The policy: loading, validation and evaluation.
 *
 * A policy file is versioned JSON ("version": 1), read with the strict loader
 * (json.h) and validated key by key: an unknown key, a wrong type, a relative
 * path, an unknown capability or an action a rule does not support is an
 * error naming the key ("policy /etc/secshim/default.json: rules.user.uid:
 * expected an integer").  See docs/policy.md for every field.
 *
 * Evaluation is a pure function document x policy x host -> findings: each
 * rule (src/rules/<name>.c, one file per rule family, listed in order in
 * src/policy/rules.c) inspects the document and, when its action is rewrite,
 * fixes it in place.  Nothing here does I/O except through struct host. */
#ifndef SECSHIM_POLICY_H
#define SECSHIM_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "secshim/error.h"
#include "secshim/host.h"
#include "secshim/json.h"

enum action
{
  ACTION_REJECT = 1 << 0,  /* refuse the container */
  ACTION_REWRITE = 1 << 1, /* fix the document, record what changed */
  ACTION_AUDIT = 1 << 2,   /* allow, record */
  ACTION_WARN = 1 << 3,    /* allow, record, say so on stderr where safe */
};
const char *action_name (enum action a);

enum doc_kind
{
  DOC_CONFIG = 1 << 0,  /* config.json of create/run/restore */
  DOC_PROCESS = 1 << 1, /* process.json of exec --process */
  /* Inline `runc exec` (no --process): the document is empty and the rules
   * that own a field judge its flag instead (exec --user belongs to rule
   * user, --cap to capabilities, ...), from identity.cli. */
  DOC_ARGV = 1 << 2,
  /* The LinuxResources document of `runc update --resources FILE|-`. */
  DOC_RESOURCES = 1 << 3,
};

struct finding
{
  const char *rule;   /* rule family name, e.g. "capabilities" (static) */
  char *path;         /* JSON path, e.g. "process.capabilities.bounding" */
  enum action action; /* what the policy said to do */
  char *message;      /* one line, names the field and the reason */
  char *before;       /* short rendering of the value before, or NULL */
  char *after;        /* short rendering after a rewrite, or NULL */
  bool exempted;      /* an exemption lifted this rule: recorded, not enforced */
};

/* Something a rule decided must happen on the host, done only once the
 * container is allowed (policy_apply), so that a refused container changes
 * nothing: today, loading (or checking) an AppArmor profile. */
struct host_step
{
  const char *rule;       /* rule family name (static) */
  char *apparmor_profile; /* host->apparmor_ensure (profile, text, len) */
  char *text;             /* NULL: only check that it is loaded */
  size_t len;
};

struct findings
{
  struct finding *v;
  size_t n, cap;
  bool full_values; /* render before/after whole (secshim check --verbose), not shortened */
  struct host_step *steps;
  size_t n_steps;
};

/* Who is asking: facts the engine (not the container's requester) controls,
 * used to match exemptions. */
struct identity
{
  const char *verb;         /* "create", "run", "restore", "exec", "update", "check" */
  const char *container_id; /* may be NULL (check) */
  const char *root;         /* runc --root, NULL = default */
  const char *bundle;       /* absolute bundle path, NULL for check */
  bool systemd_cgroup;      /* runc --systemd-cgroup: cgroupsPath is "slice:prefix:name" */
  /* runc's command line when secshim runs in its place (NULL for check):
   * the flags a rule owns (exec --cap, restore --lsm-profile) are judged by
   * that rule like the field they set. */
  const struct cli_model *cli;
};

struct pack;
struct policy;
struct rule_config;
struct cli_model;
struct exemption;

/* What a rule's check function sees. */
struct eval_ctx
{
  struct json_value *doc; /* whole document (config.json or process.json) */
  enum doc_kind kind;
  /* The process object: doc->process for a config (NULL if absent), doc itself
   * for a process.json. */
  struct json_value *process;
  const struct policy *policy;
  const struct host *host;
  const struct identity *id;
  struct findings *findings;
  /* Set while a rule runs: its configuration, and the exemption lifting it
   * for this container (NULL when none). */
  const struct rule_config *rule;
  const struct exemption *exemption;
  /* The config view (src/rules/view.h) a rule built, kept for a later rule
   * to reuse while what it was built from is unchanged; policy_evaluate
   * frees it with view_cache_free.  NULL: none yet. */
  void *view_cache;
  void (*view_cache_free) (void *view_cache);
};

/* One rule family: src/rules/<name>.c defines `const struct rule_ops rule_<name>`. */
struct rule_ops
{
  const char *name;   /* policy key under "rules", e.g. "capabilities" */
  unsigned actions;   /* supported actions (bitmask of enum action) */
  unsigned doc_kinds; /* documents it applies to (bitmask of enum doc_kind) */
  /* Parse the rule's own settings.  settings is the rule's JSON object with
   * "action" already consumed and removed; every other key must be consumed
   * (removed) by load, so that the generic loader can refuse leftovers as
   * unknown.  policy_dir resolves relative data files named by the rule.
   * May be NULL when the rule has no settings. */
  int (*load) (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err);
  void (*free_state) (void *state);
  /* Inspect ctx->doc; report with eval_report(); when the action is rewrite,
   * fix the document first and report before/after.  Returns 0, or -1 only
   * on internal failure (never for a policy violation). */
  int (*check) (struct eval_ctx *ctx, const void *state, secshim_error_t *err);
  /* The rule judges a config.json without a process (rule process: runc
   * refuses one).  Only such rules run on it, with ctx->process NULL: the
   * others would have to invent a process object. */
  bool judges_missing_process;
  /* Optional: validation too expensive to repeat at every container start
   * (seccomp: every syscall name on every architecture, and the profile's
   * self-check).  Load must still parse everything check needs.  The loader
   * runs validate after the whole policy loaded; a policy restored from its
   * compiled entry (src/policy/compiled.c) was validated when the entry was
   * made, from the same bytes. */
  int (*validate) (const void *state, secshim_error_t *err);
  /* Save the loaded state into the compiled policy, or restore it from
   * there (secshim/pack.h): one function lists the fields for both.  Data
   * files go in with data_file_pack, which makes a restore stale when
   * their bytes changed.  A rule with load but no pack makes every policy
   * that names it load in full every time. */
  void (*pack) (struct pack *k, void **state);
};

/* A rule the policy file does not name is off. */
struct rule_config
{
  const struct rule_ops *ops;
  enum action action;
  void *state;
};

struct exemption;

/* "audit.linux": absent means auto, a record when auditd runs
 * (docs/audit.md).  Zero values are the defaults. */
enum audit_linux
{
  AUDIT_LINUX_AUTO = 0,
  AUDIT_LINUX_OFF,
  AUDIT_LINUX_ON,
};

/* "audit.onFailure": what a decision to start a container does when its
 * record cannot be written (JSON log or Linux audit).  Refusals and errors
 * are refused either way; passthrough verbs (state, kill, delete...) are
 * never recorded, so a broken audit trail cannot strand a container. */
enum audit_on_failure
{
  AUDIT_ON_FAILURE_REFUSE = 0,
  AUDIT_ON_FAILURE_ALLOW,
};

struct pack_arena;

struct policy
{
  char *path;      /* absolute path of the file it was loaded from */
  char sha256[65]; /* hex digest of the file's bytes */
  int version;
  char *runtime;                          /* "runtime": absolute path of the real runtime, or NULL */
  char *audit_log;                        /* "audit.log": absolute path, or NULL for none */
  bool audit_syslog;                      /* "audit.syslog" */
  enum audit_linux audit_linux;           /* "audit.linux" */
  enum audit_on_failure audit_on_failure; /* "audit.onFailure" */
  struct rule_config *rules;              /* enabled rules, in evaluation order */
  size_t n_rules;
  struct exemption *exemptions;
  size_t n_exemptions;
  /* Restored from the compiled policy: the rules' validate steps did not
   * run in this load (they ran when the entry was made). */
  bool validation_skipped;
  /* Restored from the compiled policy: the entry's bytes and the arena
   * that restored string lists point into (pack_strv); freed last. */
  char *entry;
  struct pack_arena *arena;
};

/* Rules known to this build, in evaluation order (src/policy/rules.c). */
extern const struct rule_ops *const secshim_rules[];
extern const size_t secshim_n_rules;

/* Load and validate a policy file (opened O_NOFOLLOW|O_CLOEXEC, regular file).
 * A load that validated in full records a compiled policy, keyed by the
 * content of every input (secshim's build, the policy's bytes, every data
 * file's bytes); a later load of the same bytes restores it instead of
 * parsing, loading and validating again (src/policy/compiled.c, see
 * policy_cache_set). */
int policy_load_file (const char *path, struct policy **out, secshim_error_t *err);
/* Same from memory; path is used in messages and to resolve relative data
 * files.  Never uses the cache: always validates fully, records nothing. */
int policy_load_buffer (const char *buf, size_t len, const char *path, struct policy **out, secshim_error_t *err);
void policy_free (struct policy *p);

/* The compiled-policy cache of policy_load_file.  full: load and validate
 * everything and leave the cache alone, neither reading nor recording an
 * entry (secshim check, what admins and CI run: it never changes the
 * host).  dir: where entries live, NULL for the default
 * /run/secshim/compiled (tests point it elsewhere).  A directory not owned
 * by the effective uid, or writable by group or others, is not used. */
void policy_cache_set (bool full, const char *dir);

/* Read only the "runtime" key (for passthrough, which must keep working with a
 * broken policy).  *out is NULL when the file is unreadable or has no runtime. */
void policy_peek_runtime (const char *path, char **out);

/* Default policy path: /etc/secshim/default.json (compile-time SECSHIM_POLICY). */
const char *policy_default_path (void);

/* Run every rule that applies to ctx->kind, in order.  On return findings
 * holds what was found; *refused is true when any non-exempted finding has
 * action reject. */
int policy_evaluate (const struct policy *p, struct json_value *doc, enum doc_kind kind, const struct host *host,
                     const struct identity *id, struct findings *out, bool *refused, secshim_error_t *err);

/* Record a finding for the rule currently running (ctx->rule): its action,
 * path, before/after values (may be NULL) and a printf-style message.
 * Call it *after* rewriting, with the value before and the value after. */
void eval_report (struct eval_ctx *ctx, const char *path, const struct json_value *before,
                  const struct json_value *after, const char *fmt, ...) __attribute__ ((format (printf, 5, 6)));
/* Like eval_report, recording `action` instead of the rule's own: for a rule
 * that refuses some things and quietly fixes others (namespaces adds a
 * missing cgroup namespace even when its action is reject).  Check
 * eval_action (ctx) != ACTION_AUDIT before changing anything. */
void eval_report_as (struct eval_ctx *ctx, enum action action, const char *path, const struct json_value *before,
                     const struct json_value *after, const char *fmt, ...) __attribute__ ((format (printf, 6, 7)));
/* Like eval_report, with before and after (may be NULL) rendered already
 * by an earlier finding of the same values (copied): a rule that reports
 * values equal to ones it reported need not render them again. */
/* v rendered as a finding shows it (malloc'd; NULL for NULL): for a rule
 * that changes a value in place and would otherwise copy it to report
 * it as it was. */
char *eval_render (const struct eval_ctx *ctx, const struct json_value *v);
void eval_report_rendered (struct eval_ctx *ctx, const char *path, const char *before, const char *after,
                           const char *fmt, ...) __attribute__ ((format (printf, 5, 6)));
/* The current rule's action; rules branch on it:
 *   if (eval_action (ctx) == ACTION_REWRITE) { fix; } eval_report (...);  */
enum action eval_action (const struct eval_ctx *ctx);

/* Queue a host step for the current rule (see struct host_step). */
void eval_defer_apparmor (struct eval_ctx *ctx, const char *profile, const char *text, size_t len);

/* The apply step: after the verdict allowed the container and before runc
 * runs, do every host step the rules queued, in order.  A failure (the
 * profile cannot be loaded) refuses the container: runc must not start it
 * without the confinement the findings promise.  `secshim check` never
 * applies. */
int policy_apply (const struct findings *f, const struct host *host, secshim_error_t *err);

void findings_free (struct findings *f);
/* One line listing every refusing finding: "rule: message (at path); ...". */
char *findings_refusal_message (const struct findings *f);

/* `cleanup_with (policy_free) struct policy *p = NULL;` (cleanup.h). */
DEFINE_CLEANUP_FUNC (struct policy *, policy_free)

#endif
