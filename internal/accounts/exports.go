package accounts

import (
	"fmt"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"
)

func kindOut(k ExportKind) (jwt.ExportType, error) {
	switch k {
	case KindStream:
		return jwt.Stream, nil
	case KindService:
		return jwt.Service, nil
	}
	return jwt.Unknown, fmt.Errorf("kind %q: want %q or %q", k, KindStream, KindService)
}

func kindIn(t jwt.ExportType) ExportKind {
	switch t {
	case jwt.Stream:
		return KindStream
	case jwt.Service:
		return KindService
	}
	return ExportKind(t.String())
}

func exportOut(e Export) (*jwt.Export, error) {
	t, err := kindOut(e.Kind)
	if err != nil {
		return nil, fmt.Errorf("export %q: %w", e.Subject, err)
	}
	if e.Subject == "" {
		return nil, fmt.Errorf("export %q: subject is required", e.Name)
	}
	je := &jwt.Export{
		Name:                 e.Name,
		Subject:              jwt.Subject(e.Subject),
		Type:                 t,
		TokenReq:             e.TokenRequired,
		ResponseType:         jwt.ResponseType(e.ResponseType),
		ResponseThreshold:    e.ResponseThreshold,
		AccountTokenPosition: e.AccountTokenPosition,
		Advertise:            e.Advertise,
		AllowTrace:           e.AllowTrace,
	}
	je.Description = e.Description
	return je, nil
}

func exportIn(e *jwt.Export) Export {
	return Export{
		Name:                 e.Name,
		Subject:              string(e.Subject),
		Kind:                 kindIn(e.Type),
		TokenRequired:        e.TokenReq,
		ResponseType:         string(e.ResponseType),
		ResponseThreshold:    e.ResponseThreshold,
		AccountTokenPosition: e.AccountTokenPosition,
		Advertise:            e.Advertise,
		AllowTrace:           e.AllowTrace,
		Description:          e.Description,
	}
}

func importOut(im Import) (*jwt.Import, error) {
	t, err := kindOut(im.Kind)
	if err != nil {
		return nil, fmt.Errorf("import %q: %w", im.Subject, err)
	}
	if im.Subject == "" {
		return nil, fmt.Errorf("import %q: subject is required", im.Name)
	}
	if !nkeys.IsValidPublicAccountKey(im.Account) {
		return nil, fmt.Errorf("import %q: account %q is not an account public key", im.Subject, im.Account)
	}
	return &jwt.Import{
		Name:         im.Name,
		Subject:      jwt.Subject(im.Subject),
		Account:      im.Account,
		Token:        im.Token,
		LocalSubject: jwt.RenamingSubject(im.LocalSubject),
		Type:         t,
		Share:        im.Share,
		AllowTrace:   im.AllowTrace,
	}, nil
}

func importIn(im *jwt.Import) Import {
	// The deprecated "to" of older tools is not modelled (its meaning differs
	// between streams and services) and is dropped.
	return Import{
		Name:         im.Name,
		Subject:      string(im.Subject),
		Account:      im.Account,
		Kind:         kindIn(im.Type),
		Token:        im.Token,
		LocalSubject: string(im.LocalSubject),
		Share:        im.Share,
		AllowTrace:   im.AllowTrace,
	}
}
