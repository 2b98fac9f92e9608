package i18n

// displayTexts: the window program and its connection to the screen.
var displayTexts = map[string]text{
	"window.display_failed": {"het beeldscherm %q kan niet worden geopend (de reden staat in de regel hierboven; GLFW: %v): het venster heeft een grafische omgeving nodig; de commando's werken zonder ('pkiodesk help')", "cannot open the display %q (the line above says why; GLFW: %v): the window needs a graphical desktop; the commands work without one ('pkiodesk help')"},
}
