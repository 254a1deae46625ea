package storage

import "context"

// BodyProblemForTest exposes what VerifyChain says of one stored body.
func (s *Store) BodyProblemForTest(ctx context.Context, hash, enc string, dictID, size int64, data []byte) string {
	return s.bodyProblem(ctx, hash, enc, dictID, size, data)
}
