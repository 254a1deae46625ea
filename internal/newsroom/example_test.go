package newsroom_test

import (
	"fmt"
	"strings"

	"github.com/stet/stet/internal/newsroom"
)

// The demo advances the script one step at a time and waits, after each
// step, until the daemon has reported the step's Expects.
func Example() {
	n := newsroom.New()
	for step, ok := n.Advance(); ok; step, ok = n.Advance() {
		fmt.Printf("%d. %s:", n.Step(), step.Name)
		for _, e := range step.Expect {
			fmt.Printf(" %s [%s]", e.Kind, strings.Join(e.Classes, " "))
			if e.RevertsTo != "" {
				fmt.Printf(" back to %q", e.RevertsTo)
			}
			if e.Suppressed {
				fmt.Print(" suppressed")
			}
		}
		fmt.Println()
	}
	// Output:
	// 1. figure changed: changed [number stealth] changed [number stealth]
	// 2. quote rewritten: changed [quote stealth wording]
	// 3. title changed: changed [title]
	// 4. Chinese text altered: changed [stealth wording] changed [stealth wording]
	// 5. article deleted: removed []
	// 6. article restored: restored []
	// 7. byline changed: changed [byline]
	// 8. modified date moved: changed [modified]
	// 9. correction appended: changed [correction number]
	// 10. paragraph moved: changed [moved]
	// 11. paragraph deleted: changed [removed stealth]
	// 12. paragraph put back: changed [added reverted stealth] back to "title changed"
	// 13. headline test 1: B: changed [title]
	// 14. headline test 2: A: changed [reverted title] back to "initial publication"
	// 15. headline test 3: B: flapping [reverted title] back to "headline test 1: B"
	// 16. headline test 4: A: changed [reverted title] back to "initial publication" suppressed
	// 17. headline test 5: B: changed [reverted title] back to "headline test 1: B" suppressed
	// 18. headline test 6: A: changed [reverted title] back to "initial publication" suppressed
	// 19. headline test over: settled []
	// 20. new article published:
}
