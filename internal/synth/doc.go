// Package synth builds synthetic social worlds for tests, benchmarks and
// the load example: deterministic (a seed gives the same world every time),
// at any size, loaded straight into the in-memory stores through the bulk
// [graph.Loader].
//
// A world has users of every age band and status, a power-law follow graph
// (a few celebrities with a large share of all follows, acquaintances who
// often follow back), synced contacts through contact keys, Facebook
// links, blocks, restrictions, inbox modes valid for each user's age, and
// conversations in every state. User i has ID [ID](i).
package synth
