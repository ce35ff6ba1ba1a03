package memory

import (
	"reflect"
	"unsafe"
)

// This is the package's one use of unsafe: reading an integer ID's bits
// without converting it to an interface (which would cost an allocation
// per lookup for most values). The invariant it relies on: intKind is set,
// once, from ID's reflect.Kind, and intBits reads exactly the ID's size
// (8 or 4 bytes) from the address of a value of type ID, which is valid
// for those kinds. Every other kind reports ok false and reads nothing.

// idKind says how an ID type's values are read as integers.
type idKind uint8

const (
	notInt idKind = iota
	signed64
	unsigned64
	signed32
	unsigned32
)

func intKindOf[ID comparable]() idKind {
	switch reflect.TypeFor[ID]().Kind() {
	case reflect.Int, reflect.Int64:
		if unsafe.Sizeof(*new(ID)) == 8 {
			return signed64
		}
	case reflect.Uint, reflect.Uint64, reflect.Uintptr:
		if unsafe.Sizeof(*new(ID)) == 8 {
			return unsigned64
		}
	case reflect.Int32:
		return signed32
	case reflect.Uint32:
		return unsigned32
	}
	return notInt
}

// intBits returns id as a non-negative integer when k says ID is an
// integer type and id is not negative.
func intBits[ID comparable](k idKind, id *ID) (uint64, bool) {
	p := unsafe.Pointer(id)
	switch k {
	case signed64:
		v := *(*int64)(p)
		return uint64(v), v >= 0
	case unsigned64:
		return *(*uint64)(p), true
	case signed32:
		v := *(*int32)(p)
		return uint64(v), v >= 0
	case unsigned32:
		return uint64(*(*uint32)(p)), true
	}
	return 0, false
}

// addressOf returns the address of p as a number, for the one system call
// that takes addresses (adviseHuge). The number is never turned back into
// a pointer, so the garbage collector never sees it.
func addressOf[T any](p *T) uintptr { return uintptr(unsafe.Pointer(p)) }

// recordSize is the size of a record in bytes.
func recordSize[ID comparable]() uintptr { return unsafe.Sizeof(record[ID]{}) }
