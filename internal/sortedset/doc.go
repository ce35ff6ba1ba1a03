// Package sortedset implements the compact integer sets the in-memory stores
// are built from: sorted uint32 slices, immutable blocks that pack several
// sorted sets into one allocation behind one pointer, and [Big], a hashed
// set for the rare set too large to copy on every write.
//
// The stores publish blocks and Big buckets through atomic pointers and
// never change them once published (copy on write), so readers need no
// lock; writers are serialized by the store.
//
// Values are usually [Perm]uted dense indexes: a fixed bijection of uint32
// that spreads any set of indexes evenly over the key space, which is what
// lets Big bucket by the top bits, and gives every set, small or big, the
// same iteration order, so a paginated scan survives a set growing from one
// form to the other.
package sortedset
