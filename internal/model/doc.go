// Package model is a deliberately naive reference model of the decision
// table in package privacy's documentation, under the TikTok preset, for differential tests of the
// privacy engine.
//
// It is written from that specification alone, without reading the engine's
// evaluator, and it is meant to be checked by eye against the table: a
// [World] holds users by name and every relation as a plain map, and
// [Decide] walks rows 1 to 10b as one if/else chain, then adjustments 11
// and 12. It answers in the text forms the engine uses (allowed, folder,
// reason, sender view), so tests compare text, and it does not import the
// privacy package.
//
// The write methods of World ([World.Follow], [World.SetMode],
// [World.Deliver], [World.Accept], …) mirror the embedded store's
// (privacy/memory) and the engine's settings validation, for
// state-machine tests; [World.Build] loads a World into a fresh embedded
// store.
//
// Nothing here is fast or general, on purpose.
package model
