/*
 * ytree.c - libyaml events to a node tree with positions (see ytree.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "base/mem.h"
#include "manifest/ytree.h"

static void __attribute__((format(printf, 3, 4)))
ytree_seterr(struct ytree_error *e, const yaml_mark_t *mark,
    const char *fmt, ...)
{
	va_list ap;

	e->line = (int)mark->line + 1;
	e->col = (int)mark->column + 1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

/* Turns libyaml's failure into one message at the place it names. */
static void
ytree_parser_error(const yaml_parser_t *p, struct ytree_error *e)
{
	const char *problem = p->problem != NULL ? p->problem :
	    "YAML syntax error";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		ytree_seterr(e, &p->mark, "out of memory while parsing");
		break;
	case YAML_READER_ERROR:
		/* The reader has no mark of its own: use where it stopped. */
		ytree_seterr(e, &p->mark, "%s (byte offset %zu)", problem,
		    p->problem_offset);
		break;
	default:
		if (p->context != NULL)
			ytree_seterr(e, &p->problem_mark,
			    "%s (%s at line %d column %d)", problem,
			    p->context, (int)p->context_mark.line + 1,
			    (int)p->context_mark.column + 1);
		else
			ytree_seterr(e, &p->problem_mark, "%s", problem);
		break;
	}
}

/* A block of the arena a tree is allocated from. */
struct ytree_block {
	struct ytree_block	*next;
	size_t			 used;
	size_t			 size;
	max_align_t		 data[];
};

#define YTREE_BLOCK	65536

/* n bytes, aligned, from the arena *head (a bigger block when needed). */
static void *
ytree_alloc(struct ytree_block **head, size_t n)
{
	struct ytree_block *b = *head;
	size_t size;
	void *p;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (b == NULL || b->size - b->used < n) {
		size = n > YTREE_BLOCK ? n : YTREE_BLOCK;
		b = xmalloc(sizeof(*b) + size);
		b->used = 0;
		b->size = size;
		b->next = *head;
		*head = b;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

static void
ytree_blocks_free(struct ytree_block *b)
{
	struct ytree_block *next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
}

static struct ynode *
ytree_node_new(struct ytree_block **arena, enum ytree_type type,
    const yaml_mark_t *mark)
{
	struct ynode *n = ytree_alloc(arena, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->type = type;
	n->line = (int)mark->line + 1;
	n->col = (int)mark->column + 1;
	return n;
}

static void
ytree_add_kid(struct ytree_block **arena, struct ynode *parent,
    struct ynode *kid)
{
	struct ynode **kids;

	if (parent->nkids == parent->cap) {
		/* The old list stays in the arena: at most as much again. */
		parent->cap = parent->cap == 0 ? 4 : parent->cap * 2;
		kids = ytree_alloc(arena, parent->cap * sizeof(*kids));
		if (parent->nkids > 0)
			memcpy(kids, parent->kids,
			    parent->nkids * sizeof(*kids));
		parent->kids = kids;
	}
	parent->kids[parent->nkids++] = kid;
}

void
ytree_free(struct ynode *root)
{
	if (root != NULL)
		ytree_blocks_free(root->blocks);
}

int
ytree_is_null(const struct ynode *n)
{
	return n != NULL && n->type == YTREE_SCALAR && n->plain &&
	    (n->len == 0 || strcmp(n->str, "~") == 0 ||
	    strcmp(n->str, "null") == 0 || strcmp(n->str, "Null") == 0 ||
	    strcmp(n->str, "NULL") == 0);
}

int
ytree_parse(const char *data, size_t len, const struct ytree_limits *lim,
    struct ynode **rootp, struct ytree_error *e)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct ynode **stack = NULL, *root = NULL, *n;
	struct ytree_block *arena = NULL;
	char *str;
	size_t depth = 0, nodes = 0;
	int ndocs = 0, done = 0, rc = -1, have_ev = 0;
	const char *anchor, *tag;

	*rootp = NULL;
	memset(e, 0, sizeof(*e));
	if (!yaml_parser_initialize(&parser)) {
		snprintf(e->msg, sizeof(e->msg), "cannot set up the YAML "
		    "parser");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data,
	    len);
	stack = xcalloc((size_t)lim->max_depth + 1, sizeof(*stack));

	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			ytree_parser_error(&parser, e);
			goto out;
		}
		have_ev = 1;
		anchor = NULL;
		tag = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1) {
				ytree_seterr(e, &ev.start_mark, "more than one "
				    "YAML document is not allowed");
				goto out;
			}
			break;
		case YAML_ALIAS_EVENT:
			ytree_seterr(e, &ev.start_mark, "YAML aliases and "
			    "anchors are not allowed");
			goto out;
		case YAML_SCALAR_EVENT:
			anchor = (const char *)ev.data.scalar.anchor;
			tag = (const char *)ev.data.scalar.tag;
			break;
		case YAML_SEQUENCE_START_EVENT:
			anchor = (const char *)ev.data.sequence_start.anchor;
			tag = (const char *)ev.data.sequence_start.tag;
			break;
		case YAML_MAPPING_START_EVENT:
			anchor = (const char *)ev.data.mapping_start.anchor;
			tag = (const char *)ev.data.mapping_start.tag;
			break;
		default:
			break;
		}
		if (anchor != NULL) {
			ytree_seterr(e, &ev.start_mark, "YAML aliases and "
			    "anchors are not allowed");
			goto out;
		}
		if (tag != NULL) {
			ytree_seterr(e, &ev.start_mark, "YAML tags are not "
			    "allowed");
			goto out;
		}

		n = NULL;
		switch (ev.type) {
		case YAML_SCALAR_EVENT:
			if (memchr(ev.data.scalar.value, '\0',
			    ev.data.scalar.length) != NULL) {
				ytree_seterr(e, &ev.start_mark, "a NUL byte "
				    "is not allowed in a value");
				goto out;
			}
			n = ytree_node_new(&arena, YTREE_SCALAR,
			    &ev.start_mark);
			str = ytree_alloc(&arena, ev.data.scalar.length + 1);
			memcpy(str, ev.data.scalar.value,
			    ev.data.scalar.length);
			str[ev.data.scalar.length] = '\0';
			n->str = str;
			n->len = ev.data.scalar.length;
			n->plain = ev.data.scalar.style ==
			    YAML_PLAIN_SCALAR_STYLE;
			break;
		case YAML_SEQUENCE_START_EVENT:
			n = ytree_node_new(&arena, YTREE_SEQ, &ev.start_mark);
			break;
		case YAML_MAPPING_START_EVENT:
			n = ytree_node_new(&arena, YTREE_MAP, &ev.start_mark);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
		if (n != NULL) {
			if (++nodes > lim->max_nodes) {
				ytree_seterr(e, &ev.start_mark, "more than %zu "
				    "YAML nodes", lim->max_nodes);
				goto out;
			}
			if (depth > 0)
				ytree_add_kid(&arena, stack[depth - 1], n);
			else if (root == NULL)
				root = n;
			else {
				/* libyaml gives one root per document. */
				ytree_seterr(e, &ev.start_mark, "unexpected "
				    "second root node");
				goto out;
			}
			if (n->type != YTREE_SCALAR) {
				if (depth >= (size_t)lim->max_depth) {
					ytree_seterr(e, &ev.start_mark,
					    "nesting deeper than %d levels",
					    lim->max_depth);
					goto out;
				}
				stack[depth++] = n;
			}
		}
		yaml_event_delete(&ev);
		have_ev = 0;
	}
	if (root != NULL) {
		root->blocks = arena;
		arena = NULL;
	}
	*rootp = root;
	rc = 0;
out:
	if (have_ev)
		yaml_event_delete(&ev);
	yaml_parser_delete(&parser);
	ytree_blocks_free(arena);
	free(stack);
	return rc;
}
