/* Internal to src/json: how a tree's nodes are allocated.
 *
 * A string or number node built by the loader or json_new_* holds its text
 * in the same allocation as the node, right after it: one malloc and one
 * free per scalar instead of two.  The node is still freed on its own, so
 * ownership is unchanged (json_set, json_remove and json_array_remove_at
 * free what they drop).  Such a node is marked by cap == JSON_TEXT_INLINE;
 * cap means nothing else for a scalar, and a node built any other way
 * (a struct on the stack in a test, say) has cap 0 and a separately
 * allocated str, which json_free frees as before. */
#ifndef SECSHIM_JSON_NODE_H
#define SECSHIM_JSON_NODE_H

#include <stdint.h>

#include "secshim/json.h"

#define JSON_TEXT_INLINE SIZE_MAX

/* A JSON_STRING or JSON_NUMBER node whose str is a NUL-terminated copy of
 * s[0..len), in one allocation.  Aborts on OOM. */
struct json_value *json_node_new_text (enum json_type type, const char *s, size_t len);

static inline bool
json_node_text_is_inline (const struct json_value *v)
{
  return (v->type == JSON_STRING || v->type == JSON_NUMBER) && v->cap == JSON_TEXT_INLINE;
}

#endif
