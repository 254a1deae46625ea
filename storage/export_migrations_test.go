package storage

// MigrationSQLForTest is the SQL of migration i (0-based), for tests that
// build a database as an older stet left it.
func MigrationSQLForTest(i int) string { return migrations[i].sql }
