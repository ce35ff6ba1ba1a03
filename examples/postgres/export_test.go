package postgres

// Statements, for the plan tests.
var (
	FactsSQL      = factsSQL
	FactsBatchSQL = factsBatchSQL
)
