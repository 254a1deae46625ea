package diff

// ParseMarked exports parseMarked to the external tests, which check that
// reports read back to the texts they came from.
var ParseMarked = parseMarked
