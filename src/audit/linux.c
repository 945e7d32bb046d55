/* The decision as a Linux audit record, next to the JSON line (audit.c).
 *
 * Type AUDIT_USER (1005, "USER" in ausearch -m): the generic user-space
 * record that ausearch, aureport (summary, --failed, -x by executable) and
 * every audisp plugin read without special parsing.  AUDIT_USER_AVC was
 * the other candidate, but ausearch and aureport --avc parse it as an
 * SELinux access vector ("avc: denied { perm } ... tclass="), which a
 * container decision is not.
 *
 * The text is "op=... verb=... container=... rules=... [refused_by=...]
 * [exempted=...] policy=...
 * policy_sha256=... key="secshim"": a value made of letters, digits and
 * "_,.:-" as it is, any other through audit_encode_nv_string (quoted, or
 * hex when it holds a space, a quote or a control character: a caller's
 * container id cannot forge fields), and
 * libaudit appends exe=, hostname=, addr=, terminal= and res=.  ausearch -k
 * matches only keys of SYSCALL (and CONFIG_CHANGE) records, so the key in
 * the text is for grep and audisp plugins; `ausearch -k secshim` finds the
 * record through the exit rule `secshim install --audit-rules` writes for
 * secshim's sendto(2), whose SYSCALL record the kernel puts in the same
 * event (docs/audit.md).
 *
 * "Where auditd runs" is: audit_open() succeeds and the kernel's status
 * (AUDIT_GET) names an audit daemon pid.  Without one the kernel would
 * print the record to the console log, which nobody asked for. */
#include <errno.h>
#include <libaudit.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "secshim/audit.h"
#include "secshim/cleanup.h"
#include "secshim/util.h"

/* A value longer than this is cut: the whole text stays far below
 * libaudit's MAX_AUDIT_MESSAGE_LENGTH (8970) even hex-encoded. */
#define VALUE_MAX 512
#define RULES_MAX 32

static void
audit_fd_close (int *fd)
{
  if (*fd >= 0)
    audit_close (*fd);
}
#define cleanup_audit_fd __attribute__ ((cleanup (audit_fd_close)))

static const char *
op_of (const char *outcome)
{
  if (outcome == NULL)
    return "error";
  if (strcmp (outcome, "refused") == 0)
    return "refuse";
  if (strcmp (outcome, "rewritten") == 0)
    return "rewrite";
  if (strcmp (outcome, "allowed") == 0)
    return "allow";
  return "error";
}

int
audit_linux_result (const struct audit_event *ev)
{
  const char *op = op_of (ev->outcome);
  return strcmp (op, "refuse") != 0 && strcmp (op, "error") != 0;
}

/* Verbs, rule names, digests and docker's container ids: printed as they
 * are, like op= and res= in other user records. */
static bool
plain (const char *value)
{
  size_t n = strspn (value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_,.:-");
  return n > 0 && value[n] == '\0' && n <= VALUE_MAX;
}

/* The text grows from 512 bytes: a record is a few hundred. */
#define TEXT_FIRST_CAP 512

static void
text_put (struct strbuf *t, const char *s)
{
  strbuf_append (t, s, strlen (s), TEXT_FIRST_CAP);
}

/* " name=value": plain, or else encoded by libaudit (quoted, or hex when
 * it holds a space, a quote or a control character); "?" when there is
 * none. */
static void
append_field (struct strbuf *t, const char *name, const char *value)
{
  if (t->len > 0)
    text_put (t, " ");
  if (value && plain (value) && strcmp (name, "key") != 0)
    {
      text_put (t, name);
      text_put (t, "=");
      text_put (t, value);
    }
  else if (value == NULL || *value == '\0')
    {
      text_put (t, name);
      text_put (t, "=?");
    }
  else
    {
      /* libaudit's length is only used for the hex form: cut a copy. */
      cleanup_free char *cut = xstrndup (value, VALUE_MAX);
      cleanup_free char *enc = audit_encode_nv_string (name, cut, 0);
      if (enc == NULL)
        {
          text_put (t, name);
          text_put (t, "=?");
        }
      else
        text_put (t, enc);
    }
}

enum rule_pick
{
  PICK_FIRED,    /* every rule with a finding it enforces */
  PICK_REFUSED,  /* those that refuse (action reject) */
  PICK_EXEMPTED, /* findings an exemption lifted */
};

static bool
picked (const struct finding *f, enum rule_pick pick)
{
  switch (pick)
    {
    case PICK_FIRED:
      return !f->exempted;
    case PICK_REFUSED:
      return !f->exempted && f->action == ACTION_REJECT;
    case PICK_EXEMPTED:
      return f->exempted;
    }
  return false;
}

/* Rule names, once each, in the order they fired, comma-separated;
 * NULL when there is none.  Names are the rules' static strings, at most
 * one per rule family. */
static char *
rule_list (const struct findings *f, enum rule_pick pick)
{
  const char *seen[RULES_MAX];
  size_t n = 0, i, j;
  struct strbuf out = { 0 };
  for (i = 0; f && i < f->n; i++)
    {
      if (!picked (&f->v[i], pick) || f->v[i].rule == NULL)
        continue;
      for (j = 0; j < n && strcmp (seen[j], f->v[i].rule) != 0; j++)
        ;
      if (j < n || n == RULES_MAX)
        continue;
      seen[n++] = f->v[i].rule;
    }
  for (i = 0; i < n; i++)
    {
      if (i > 0)
        text_put (&out, ",");
      text_put (&out, seen[i]);
    }
  return out.buf;
}

static bool
has_findings (const struct findings *f)
{
  return f && f->n > 0;
}

/* An allowed, unchanged container says nothing the kernel's own execve
 * records do not; one with findings (audit/warn actions, exemptions) is
 * what the policy asked to be told about. */
static bool
recorded (const struct audit_event *ev)
{
  return strcmp (op_of (ev->outcome), "allow") != 0 || has_findings (ev->findings);
}

char *
audit_linux_message (const struct audit_event *ev)
{
  cleanup_free char *rules = NULL;
  cleanup_free char *refused_by = NULL;
  cleanup_free char *exempted = NULL;
  const char *op = op_of (ev->outcome);
  struct strbuf text = { 0 };

  if (!recorded (ev))
    return NULL;
  rules = rule_list (ev->findings, PICK_FIRED);
  refused_by = rule_list (ev->findings, PICK_REFUSED);
  exempted = rule_list (ev->findings, PICK_EXEMPTED);
  append_field (&text, "op", op);
  append_field (&text, "verb", ev->verb);
  append_field (&text, "container", ev->container_id);
  append_field (&text, "rules", rules);
  if (refused_by)
    append_field (&text, "refused_by", refused_by);
  if (exempted)
    append_field (&text, "exempted", exempted);
  append_field (&text, "policy", ev->policy ? ev->policy->path : ev->policy_path);
  append_field (&text, "policy_sha256", ev->policy ? ev->policy->sha256 : NULL);
  append_field (&text, "key", "secshim");
  return text.buf;
}

static bool
wanted (const struct audit_event *ev)
{
  return ev->policy == NULL || ev->policy->audit_linux != AUDIT_LINUX_OFF;
}

static bool
required (const struct audit_event *ev)
{
  return ev->policy && ev->policy->audit_linux == AUDIT_LINUX_ON;
}

/* An audit daemon is registered with the kernel (AUDIT_GET's pid). */
static bool
auditd_registered (int fd)
{
  struct audit_reply rep;
  struct timeval tv = { .tv_sec = 1 };
  int i;

  /* The kernel answers AUDIT_GET from a worker thread: bound the wait. */
  if (setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
    return false;
  if (audit_request_status (fd) <= 0)
    return false;
  for (i = 0; i < 4; i++)
    {
      if (audit_get_reply (fd, &rep, GET_REPLY_BLOCKING, 0) <= 0)
        return false;
      if (rep.type == AUDIT_GET)
        return rep.status->pid != 0;
      if (rep.type == NLMSG_ERROR && rep.error->error != 0)
        return false;
    }
  return false;
}

int
audit_linux_record (const struct audit_event *ev, secshim_error_t *err)
{
  cleanup_free char *text = NULL;
  cleanup_audit_fd int fd = -1;
  int ret;

  if (!wanted (ev) || !recorded (ev))
    return 0;
  fd = audit_open ();
  if (fd < 0)
    {
      if (!required (ev))
        return 0;
      return secshim_make_error (err, errno, "the Linux audit record (audit.linux): cannot reach the kernel's audit");
    }
  if (!required (ev) && !auditd_registered (fd))
    return 0;
  /* the text only once it will be sent: most hosts run no auditd */
  text = audit_linux_message (ev);
  errno = 0;
  ret = audit_log_user_message (fd, AUDIT_USER, text, NULL, NULL, "", audit_linux_result (ev));
  if (ret <= 0)
    /* 0 is ECONNREFUSED, which libaudit hides: no audit in this user
     * namespace, or nothing listening. */
    return secshim_make_error (err, ret < 0 ? -ret : ECONNREFUSED,
                               "the Linux audit record (audit.linux): the kernel did not take it");
  return 1;
}
