package newsroom_test

import (
	"fmt"

	"github.com/stet/stet/internal/newsroom"
)

// The demo advances the script one step at a time and waits, after each
// step, until the daemon has reported the step's Expects.
func Example() {
	n := newsroom.New()
	for step, ok := n.Advance(); ok; step, ok = n.Advance() {
		fmt.Printf("%d. %s:", n.Step(), step.Name)
		for _, e := range step.Expect {
			fmt.Printf(" %s", e.Kind)
		}
		fmt.Println()
	}
	// Output:
	// 1. figure changed: changed changed
	// 2. paragraph rewritten: changed
	// 3. title changed: changed
	// 4. Chinese sentences altered: changed changed
	// 5. article deleted: removed
	// 6. article restored: restored
	// 7. new article published:
}
