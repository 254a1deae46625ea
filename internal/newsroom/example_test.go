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
	// 5. PDF figures changed: changed [number stealth] changed [number stealth]
	// 6. article deleted: removed []
	// 7. article restored: restored []
	// 8. article unlisted: unlisted []
	// 9. article relisted: relisted []
	// 10. byline changed: changed [byline]
	// 11. modified date moved: changed [modified]
	// 12. correction appended: changed [correction number]
	// 13. paragraph moved: changed [moved]
	// 14. paragraph deleted: changed [removed stealth]
	// 15. paragraph put back: changed [added reverted stealth] back to "title changed"
	// 16. headline test 1: B: changed [title]
	// 17. headline test 2: A: changed [reverted title] back to "initial publication"
	// 18. headline test 3: B: flapping [reverted title] back to "headline test 1: B"
	// 19. headline test 4: A: changed [reverted title] back to "initial publication" suppressed
	// 20. headline test 5: B: changed [reverted title] back to "headline test 1: B" suppressed
	// 21. headline test 6: A: changed [reverted title] back to "initial publication" suppressed
	// 22. headline test over: settled []
	// 23. new article published:
}
