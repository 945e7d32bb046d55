/* Render an AppArmor profile from bane's fields (see apparmor.h and
 * docs/apparmor.md).
 *
 * The layout follows bane's template (genuinetools/bane apparmor/template.go)
 * with today's docker-default additions (moby/profiles apparmor/template.go):
 * abi 3.0, `deny network alg`, signal and ptrace rules, the /sys/firmware and
 * powercap denials.  Differences from bane, each because bane's output is
 * wrong or missing something:
 *   - Protocols produce IPv4 and IPv6 rules (bane: IPv4 only), plus
 *     `network unix,` so local IPC (nginx's master/worker socketpair) keeps
 *     working when the IP protocols are restricted;
 *   - Allow and Deny capabilities are both honoured (bane ignores Allow when
 *     Deny is set);
 *   - no host-dependent includes: the text depends only on the fields, so
 *     the output is byte-for-byte reproducible and compiles anywhere.
 * Rules appear in field order as written: deterministic, and a diff of two
 * generated profiles reads like a diff of the TOML. */
#include <stdio.h>
#include <string.h>

#include "secshim/apparmor.h"
#include "secshim/cleanup.h"
#include "secshim/util.h"

/* Engine processes that signal the container (docker stop/kill) and read
 * its /proc (runc exec joins namespaces through /proc/PID/ns, which needs
 * ptrace read access): host tools run unconfined; Ubuntu 23.10+ confines
 * runc and crun under profiles of those names (moby/moby#47720). */
static const char *const engine_peers[] = { "unconfined", "runc", "crun", NULL };

/* A path is written bare only when every byte is in a set the rule grammar
 * reads as part of a path (letters, digits, AppArmor's glob characters and
 * a few punctuation marks); anything else (whitespace ends the path, '#'
 * starts a comment, ',' ends the rule) is quoted.  Globs still work inside
 * quotes. */
static bool
needs_quotes (const char *p)
{
  static const char bare[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                             "/_.-+:~%@*?{}[]^";
  return p[strspn (p, bare)] != '\0';
}

/* Merged /usr (every Debian 12 and Ubuntu image: /bin -> usr/bin): AppArmor
 * judges the path a symlink resolves to, so a rule for /bin/dash matches
 * nothing there, and one for /usr/bin/dash nothing in a split image.  A path
 * under /bin, /sbin, /lib* or /usr/{bin,sbin,lib*} is written for both
 * spellings, as AppArmor's own abstractions do: `/{,usr/}bin/dash`.
 * Returns the length of the prefix to replace ("/" or "/usr/"), 0 if none. */
static size_t
usr_alias_prefix (const char *path)
{
  static const char *const dirs[] = { "bin/", "sbin/", "lib/", "lib32/", "lib64/", "libx32/" };
  size_t skip = strncmp (path, "/usr/", 5) == 0 ? 5 : 1, i;
  if (path[0] != '/')
    return 0;
  for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
    if (strncmp (path + skip, dirs[i], strlen (dirs[i])) == 0)
      return skip;
  return 0;
}

static void
put_path_rule (FILE *f, const char *prefix, const char *path, const char *perms)
{
  size_t skip = usr_alias_prefix (path);
  const char *alias = skip ? "/{,usr/}" : "";
  const char *rest = skip ? path + skip : path;
  /* aa_spec_check refused '"' and '\\', so quoting needs no escapes. */
  if (needs_quotes (path))
    fprintf (f, "  %s\"%s%s\" %s,\n", prefix, alias, rest, perms);
  else
    fprintf (f, "  %s%s%s %s,\n", prefix, alias, rest, perms);
}

static void
put_paths (FILE *f, const struct strv *v, const char *prefix, const char *perms)
{
  size_t i;
  for (i = 0; i < v->n; i++)
    put_path_rule (f, prefix, v->v[i], perms);
}

static void
put_network (FILE *f, const struct aa_spec *s)
{
  size_t i;
  fputs ("  # [Network]\n", f);
  if (s->protocols.n == 0)
    fputs ("  network,\n", f);
  for (i = 0; i < s->protocols.n; i++)
    {
      const char *p = s->protocols.v[i];
      size_t n = strlen (p);
      bool v4 = p[n - 1] != '6', v6 = p[n - 1] != '4';
      if (p[n - 1] == '4' || p[n - 1] == '6')
        n--;
      if (n == 4 && strncmp (p, "icmp", 4) == 0)
        {
          /* apparmor_parser maps `inet icmp` to the raw socket type and has
           * no inet6 icmp keyword; `inet6 raw` is the compiled equivalent. */
          if (v4)
            fputs ("  network inet icmp,\n", f);
          if (v6)
            fputs ("  network inet6 raw,\n", f);
          continue;
        }
      if (v4)
        fprintf (f, "  network inet %.*s,\n", (int) n, p);
      if (v6)
        fprintf (f, "  network inet6 %.*s,\n", (int) n, p);
    }
  if (s->protocols.n > 0)
    fputs ("  network unix,\n", f);
  if (!s->raw)
    fputs ("  deny network raw,\n", f);
  if (!s->packet)
    fputs ("  deny network packet,\n", f);
  fputs ("  deny network alg,\n", f);
}

static void
put_filesystem (FILE *f, const struct aa_spec *s)
{
  fputs ("\n  file,\n  umount,\n  deny mount,\n", f);
  if (s->read_only_paths.n + s->log_on_write_paths.n + s->writable_paths.n + s->allow_exec.n + s->deny_exec.n == 0)
    return;
  fputs ("\n  # [Filesystem]\n", f);
  put_paths (f, &s->read_only_paths, "deny ", "wl");
  put_paths (f, &s->log_on_write_paths, "audit ", "w");
  put_paths (f, &s->writable_paths, "", "w");
  put_paths (f, &s->allow_exec, "", "ix");
  /* Said in the profile, since `generate` is where an administrator reads
   * what the rules do (docs/apparmor.md, "Merged /usr"). */
  if (s->deny_exec.n > 0)
    fputs ("  # DenyExec: the kernel judges the file a path resolves to. On a symlink\n"
           "  # to a multi-call binary (/bin/sh -> busybox) it denies nothing: deny\n"
           "  # the target, and every applet goes with it.\n",
           f);
  put_paths (f, &s->deny_exec, "deny ", "mrwklx");
}

static void
put_capabilities (FILE *f, const struct aa_spec *s)
{
  size_t i;
  fputs ("\n  # [Capabilities]\n", f);
  if (s->cap_allow.n == 0 && s->cap_deny.n == 0)
    {
      fputs ("  # no Allow or Deny: every capability is denied (as with bane)\n", f);
      return;
    }
  /* Deny alone is a deny-list over all capabilities (bane); with Allow the
   * allow-list bounds everything and Deny only adds explicit denials. */
  if (s->cap_allow.n == 0)
    fputs ("  capability,\n", f);
  for (i = 0; i < s->cap_allow.n; i++)
    fprintf (f, "  capability %s,\n", s->cap_allow.v[i]);
  for (i = 0; i < s->cap_deny.n; i++)
    fprintf (f, "  deny capability %s,\n", s->cap_deny.v[i]);
}

static void
put_signal_ptrace (FILE *f, const struct aa_spec *s)
{
  size_t i;
  fputs ("\n  # The engine must be able to stop the container (docker stop/kill).\n", f);
  for (i = 0; engine_peers[i]; i++)
    fprintf (f, "  signal (receive) peer=%s,\n", engine_peers[i]);
  fprintf (f, "  signal (send,receive) peer=%s,\n", s->name);
  fputs ("  # ps/top inside the container; the engine reads /proc/PID (exec, top).\n", f);
  fprintf (f, "  ptrace (trace,read,tracedby,readby) peer=%s,\n", s->name);
  for (i = 0; engine_peers[i]; i++)
    fprintf (f, "  ptrace (readby) peer=%s,\n", engine_peers[i]);
}

/* docker-default's /proc and /sys protections, plus bane's mem/kmem. */
static const char proc_sys_rules[] = "\n"
                                     "  # /proc and /sys (docker-default, bane)\n"
                                     "  deny @{PROC}/* w,\n"
                                     "  deny @{PROC}/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],"
                                     "[^1-9][^0-9][^0-9][^0-9/]*}/** w,\n"
                                     "  deny @{PROC}/sys/[^k]** w,\n"
                                     "  deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,\n"
                                     "  deny @{PROC}/sysrq-trigger rwklx,\n"
                                     "  deny @{PROC}/mem rwklx,\n"
                                     "  deny @{PROC}/kmem rwklx,\n"
                                     "  deny @{PROC}/kcore rwklx,\n"
                                     "  deny /sys/[^f]*/** wklx,\n"
                                     "  deny /sys/f[^s]*/** wklx,\n"
                                     "  deny /sys/fs/[^c]*/** wklx,\n"
                                     "  deny /sys/fs/c[^g]*/** wklx,\n"
                                     "  deny /sys/fs/cg[^r]*/** wklx,\n"
                                     "  deny /sys/firmware/** rwklx,\n"
                                     "  deny /sys/devices/virtual/powercap/** rwklx,\n"
                                     "  deny /sys/kernel/security/** rwklx,\n";

int
aa_generate (const struct aa_spec *s, char **out, size_t *out_len, secshim_error_t *err)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f;

  if (!aa_profile_name_valid (s->name))
    return secshim_make_error (err, SECSHIM_EINPUT, "profile name `%s` is not valid", s->name ? s->name : "");
  f = open_memstream (&buf, &len);
  if (f == NULL)
    abort (); /* only fails on OOM: fail closed like xmalloc */

  fprintf (f, "# AppArmor profile %s, generated by secshim from bane-format fields.\n", s->name);
  fputs ("# Regenerate it (`secshim apparmor generate FILE`) rather than editing it.\n", f);
  fputs ("abi <abi/3.0>,\n\n@{PROC}=/proc/\n\n", f);
  fprintf (f, "profile %s flags=(attach_disconnected,mediate_deleted) {\n", s->name);
  put_network (f, s);
  put_filesystem (f, s);
  put_capabilities (f, s);
  put_signal_ptrace (f, s);
  fputs (proc_sys_rules, f);
  fputs ("}\n", f);
  if (fclose (f) != 0)
    abort ();
  *out = buf;
  if (out_len)
    *out_len = len;
  return 0;
}
