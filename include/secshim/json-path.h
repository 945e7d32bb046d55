/* Dotted JSON paths for error messages, built by src/json and src/spec.
 *
 * Paths read like the policy docs: "process.user.uid", "mounts[3].options".
 * A key that is not a plain identifier is bracketed and escaped
 * (annotations["com.example/x"]), and control characters never reach a
 * message raw, so a hostile key cannot forge log lines. */
#ifndef SECSHIM_JSON_PATH_H
#define SECSHIM_JSON_PATH_H

#include <stddef.h>

#include "secshim/util.h"

/* A path under construction is a plain strbuf (util.h). */

void json_pathbuf_add_key (struct strbuf *p, const char *key, size_t key_len);
void json_pathbuf_add_index (struct strbuf *p, size_t index);
void json_pathbuf_truncate (struct strbuf *p, size_t len);
/* The path, or "top level" when empty, for a message: a path longer than
 * 160 bytes is shortened in place to its head, "..." and its tail, so call
 * it last.  Valid until the next change. */
const char *json_pathbuf_str (struct strbuf *p);
void json_pathbuf_release (struct strbuf *p);

/* A key for use inside backticks in a message: control characters, DEL,
 * backtick and backslash escaped as \xNN.  Returns a malloc'd string. */
char *json_quote_key (const char *key, size_t key_len);

#endif
