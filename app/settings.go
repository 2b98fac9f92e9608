package app

import (
	"context"
	"os"
	"path/filepath"
	"slices"

	"pkiodesk/app/audit"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
	"pkiodesk/smartcard/modfile"
)

// Settings returns the workstation's preferences.
func (a *App) Settings(ctx context.Context) (store.Settings, error) {
	return a.Store.Settings(ctx)
}

// AddModulePath remembers a PKCS#11 module the user chose. The path must be
// absolute and name a shared library that exports C_GetFunctionList (read,
// not loaded: loading runs the file's code); adding it twice changes nothing.
func (a *App) AddModulePath(ctx context.Context, path string) error {
	if !filepath.IsAbs(path) {
		return i18n.E("settings.module_relative", nil, path)
	}
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return i18n.E("settings.module_path", err, path)
	}
	if err := modfile.Check(path); err != nil {
		return i18n.E("settings.module_not_pkcs11", err, path)
	}
	return a.changeSetting(ctx, "module-paths", func(s *store.Settings) bool {
		if slices.Contains(s.ModulePaths, path) {
			return false
		}
		s.ModulePaths = append(s.ModulePaths, path)
		return true
	})
}

// changeSetting changes the settings with their journal entry in one
// transaction; change reports whether anything changed.
func (a *App) changeSetting(ctx context.Context, name string, change func(*store.Settings) bool) error {
	return a.Journal.Change(ctx, audit.Entry{Who: a.Actor(), Action: audit.SettingChange, Object: audit.Setting(name)}, func(ctx context.Context) error {
		s, err := a.Store.Settings(ctx)
		if err != nil {
			return err
		}
		if !change(&s) {
			return nil
		}
		return a.Store.SaveSettings(ctx, s)
	})
}

// RemoveModulePath forgets a module the user had added; a path that was
// never added is an error, so a typo does not pass for a removal.
func (a *App) RemoveModulePath(ctx context.Context, path string) error {
	s, err := a.Store.Settings(ctx)
	if err != nil {
		return err
	}
	if !slices.Contains(s.ModulePaths, path) {
		return i18n.E("settings.module_not_added", nil, path)
	}
	return a.changeSetting(ctx, "module-paths", func(s *store.Settings) bool {
		n := len(s.ModulePaths)
		s.ModulePaths = slices.DeleteFunc(s.ModulePaths, func(p string) bool { return p == path })
		return len(s.ModulePaths) != n
	})
}

// SetLanguage stores the language the user chose: "nl", "en", or "" to
// follow the locale.
func (a *App) SetLanguage(ctx context.Context, lang string) error {
	if lang != "" && lang != string(i18n.NL) && lang != string(i18n.EN) {
		return i18n.E("settings.language", nil, lang)
	}
	return a.changeSetting(ctx, "language", func(s *store.Settings) bool {
		changed := s.Language != lang
		s.Language = lang
		return changed
	})
}

// Language is the user's chosen language, else the one from the locale.
// PKIODESK_LANG in the environment beats both.
func (a *App) Language(ctx context.Context, getenv func(string) string) i18n.Lang {
	if getenv("PKIODESK_LANG") == "" {
		if s, err := a.Store.Settings(ctx); err == nil && s.Language != "" {
			return i18n.Lang(s.Language)
		}
	}
	return i18n.FromEnv(getenv)
}
