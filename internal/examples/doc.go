// Package examples holds the tests of the configurations under examples/:
// every directory formatted and valid, and the stacks applied against
// in-process nats-servers with the real terraform CLI and the provider built
// from this module. Its only code is the multi-region stack's outputs, which
// `make demo` reads too.
package examples
