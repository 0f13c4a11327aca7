package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// maxNoticeDetails is how many detail lines a notice keeps; older ones are
// summarised, so dropping thousands of bad files keeps the banner light.
const maxNoticeDetails = 200

// notice is a dismissible, non-modal banner at the top of the window for
// problems that should not interrupt the user, such as files that could not
// be read, and for remarks about work done (photos restored without the
// shared watermark). Reports accumulate until the banner is dismissed.
type notice struct {
	summary *widget.Label
	details *widget.Label
	more    *widget.Accordion
	content *fyne.Container

	count   int      // problems reported since the last dismissal
	remarks []string // remarks made since the last dismissal
	skipped string   // the sentence about problems, empty without any
	lines   []string // the most recent detail lines
	dropped int      // detail lines no longer kept
}

// newNotice returns a hidden notice banner.
func newNotice() *notice {
	n := &notice{}
	n.buildUI()
	return n
}

func (n *notice) buildUI() {
	n.summary = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	n.details = &widget.Label{Wrapping: fyne.TextWrapBreak, TextStyle: fyne.TextStyle{Monospace: true}}
	n.more = widget.NewAccordion(widget.NewAccordionItem("Details", container.NewVScroll(n.details)))
	dismiss := &widget.Button{Icon: theme.CancelIcon(), Importance: widget.LowImportance, OnTapped: n.dismiss}
	icon := widget.NewIcon(theme.WarningIcon())
	n.content = container.NewBorder(nil, nil, container.NewVBox(icon), container.NewVBox(dismiss),
		container.NewVBox(n.summary, n.more))
	n.content.Hide()
}

// report adds problems to the banner and shows it. what says what failed
// ("could not be read"), details has one line per problem.
// It must be called on the UI goroutine.
func (n *notice) report(what string, details []string) {
	if len(details) == 0 {
		return
	}
	n.count += len(details)
	n.addDetails(details)
	noun := "files"
	if n.count == 1 {
		noun = "file"
	}
	n.skipped = fmt.Sprintf("%d %s %s and skipped.", n.count, noun, what)
	n.update()
}

// remark adds sentence, a remark about work done, to the banner with its
// detail lines (possibly none) and shows it. An empty sentence is ignored.
// It must be called on the UI goroutine.
func (n *notice) remark(sentence string, details []string) {
	if sentence == "" {
		return
	}
	n.remarks = append(n.remarks, sentence)
	n.addDetails(details)
	n.update()
}

// addDetails keeps detail lines, the most recent maxNoticeDetails.
func (n *notice) addDetails(details []string) {
	n.lines = append(n.lines, details...)
	if extra := len(n.lines) - maxNoticeDetails; extra > 0 {
		n.lines = append(n.lines[:0], n.lines[extra:]...)
		n.dropped += extra
	}
}

// update shows the banner with its summary and details.
func (n *notice) update() {
	sentences := n.remarks
	if n.skipped != "" {
		sentences = append([]string{n.skipped}, n.remarks...)
	}
	n.summary.SetText(strings.Join(sentences, " "))
	text := strings.Join(n.lines, "\n")
	if n.dropped > 0 {
		text = fmt.Sprintf("(%d earlier lines not shown)\n%s", n.dropped, text)
	}
	n.details.SetText(text)
	n.more.Hidden = len(n.lines) == 0
	n.more.Refresh()
	n.content.Show()
}

// dismiss hides the banner and forgets its problems and remarks.
func (n *notice) dismiss() {
	n.count, n.lines, n.dropped = 0, nil, 0
	n.skipped, n.remarks = "", nil
	n.summary.SetText("")
	n.details.SetText("")
	n.more.CloseAll()
	n.content.Hide()
}

// visible reports whether the banner is shown.
func (n *notice) visible() bool { return n.content.Visible() }
