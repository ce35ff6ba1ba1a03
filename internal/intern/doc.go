// Package intern maps keys (user IDs, contact keys) to dense uint32
// indexes, and stores a value per index, for the in-memory stores.
//
// A [Map] is read without locks: the hash index is an array of atomic
// words, replaced wholesale when it grows, and entries live in fixed-size
// chunks that never move, so a pointer to an entry stays valid for the
// Map's life. Writers (Add, Grow) must be serialized by the caller. An
// entry's key is written before the entry is published, so a reader that
// finds an entry sees its key; the value's fields are the caller's to
// publish, typically through atomics.
//
// The index holds 8-byte slots — 32 bits of hash tag and the index plus one
// — with linear probing at a load factor of at most 3/4, so a lookup is
// usually one cache line of the index and the entry itself, which the
// caller was about to read anyway.
package intern
