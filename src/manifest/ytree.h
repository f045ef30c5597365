/*
 * ytree.h - a YAML document as a small tree of nodes that remember where
 * they stood (line and column, 1-based), built from libyaml's event API.
 *
 * Only plain data is accepted: aliases, anchors, explicit tags and more
 * than one document are refused, nesting and the node count are bounded,
 * so a hostile file fails fast in little memory. The manifest loader
 * interprets the tree; this module knows nothing about certkeep.
 */
#ifndef CERTKEEP_YTREE_H
#define CERTKEEP_YTREE_H

#include <stddef.h>

enum ytree_type {
	YTREE_SCALAR,
	YTREE_SEQ,
	YTREE_MAP,
	YTREE__MAX
};

struct ynode {
	enum ytree_type	 type;
	int		 line;		/* 1-based */
	int		 col;		/* 1-based */
	int		 plain;		/* scalar written without quotes */
	char		*str;		/* scalar value, NUL-terminated */
	size_t		 len;
	/* SEQ: the items; MAP: key, value, key, value, ... */
	struct ynode	**kids;
	size_t		 nkids;
	size_t		 cap;
	/* Root only: the blocks every node, value and list of the tree
	   lives in (one free for a tree of tens of thousands of nodes). */
	struct ytree_block *blocks;
};

struct ytree_limits {
	int		 max_depth;	/* nesting of sequences/mappings */
	size_t		 max_nodes;
};

/* Why parsing stopped: where, and libyaml's (or our) words. */
struct ytree_error {
	int		 line;
	int		 col;
	char		 msg[256];
};

/*
 * Parses data (len bytes) as one YAML document. Returns 0 and the tree in
 * *root (NULL for an empty stream; caller frees with ytree_free()), or -1
 * with e filled.
 */
int	 ytree_parse(const char *data, size_t len,
	    const struct ytree_limits *lim, struct ynode **root,
	    struct ytree_error *e);
/* Frees a tree ytree_parse() returned (its root). */
void	 ytree_free(struct ynode *root);

/* 1 when n is a plain scalar meaning null ("", "~", "null"). */
int	 ytree_is_null(const struct ynode *n);

#endif
