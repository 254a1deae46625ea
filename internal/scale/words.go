package scale

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// vocabulary is the words of generated text: news prose, so that articles
// compress and extract like real ones rather than like noise.
var vocabulary = strings.Fields(`
the of and to in a that for on said is was with by as at from it its be has have
had were are not been will would could which who this their they but also after
more than over into about year years new first last two three four five percent
government ministry minister officials official spokesperson agency department
office council committee parliament assembly province provincial city county
region regional national local state public private report reports reported
statement announced announcement published according data figures figure number
measures measure policy policies plan plans program programme project projects
budget spending funds funding tax taxes revenue economy economic growth trade
exports imports market markets prices price inflation interest rates bank banks
company companies industry industrial workers jobs employment labour energy power
water transport roads rail railway airport port housing schools school students
hospital hospitals health care patients doctors police court courts judge law
laws rules regulation regulations security defence military border foreign
international talks meeting meetings summit visit delegation agreement deal
cooperation development investment investors project construction infrastructure
climate weather flood floods drought rain storm emissions environment pollution
survey study research university experts analysts residents villagers citizens
people families children women men community communities group groups members
leaders leader president premier mayor governor director chairman secretary
week month months day days morning afternoon evening monday tuesday wednesday
thursday friday saturday sunday january february march april may june july
august september october november december early late recent recently earlier
later again still already while during before since until under between against
without within across through among around including such other many some most
several few each every all any both either neither only just even because
however although though despite whether if when where how what why then there
here now today yesterday tomorrow million billion thousand hundred dozens number
increase increased decrease decreased rise rose fall fell grew growing reached
expected expects expect estimated estimate show shows showed shown found find
added adding told asked called calls called urged warned promised pledged agreed
decided approved rejected launched opened closed began begun started continue
continued remain remained became become made make makes take taken took give
given gave keep kept help helped support supported improve improved ensure
provide provided include included reduce reduced protect protected respond
response efforts effort work working services service system systems network
quarter annual monthly weekly daily previous following next major key main
important significant large small high low long short strong weak better worse
`)

// sentences appends n sentences of random prose to b.
func sentences(b *strings.Builder, rng *rand.Rand, n int) {
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		words := 8 + rng.IntN(13)
		for j := range words {
			w := vocabulary[rng.IntN(len(vocabulary))]
			if j == 0 {
				b.WriteString(strings.ToUpper(w[:1]))
				b.WriteString(w[1:])
				continue
			}
			b.WriteByte(' ')
			if rng.IntN(40) == 0 { // a figure now and then
				b.WriteString(strconv.Itoa(rng.IntN(2000) + 2))
				b.WriteByte(' ')
			}
			b.WriteString(w)
		}
		b.WriteByte('.')
	}
}

// phrase is n random words, capitalised like a headline.
func phrase(rng *rand.Rand, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		w := vocabulary[rng.IntN(len(vocabulary))]
		b.WriteString(strings.ToUpper(w[:1]))
		b.WriteString(w[1:])
	}
	return b.String()
}
