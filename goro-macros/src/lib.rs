//! `#[goro::main]` and `#[goro::test]`: run an `async fn` as the main
//! goroutine of a goro runtime.
//!
//! `#[goro::test]` also bounds the test's time (default 60 s, or
//! `#[goro::test(timeout_secs = 5)]`), so that a hung test fails instead of
//! hanging the suite.

use proc_macro::TokenStream;
use quote::quote;
use syn::parse::Parser;
use syn::{parse_macro_input, ItemFn};

/// Runs `async fn main` as the main goroutine: `goro::run(async { .. })`.
#[proc_macro_attribute]
pub fn main(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return syn::Error::new(proc_macro2::Span::call_site(), "goro::main takes no arguments")
            .to_compile_error()
            .into();
    }
    let f = parse_macro_input!(item as ItemFn);
    let (attrs, vis, sig, body) = (&f.attrs, &f.vis, &f.sig, &f.block);
    if sig.asyncness.is_none() {
        return syn::Error::new_spanned(sig.fn_token, "goro::main needs an async fn")
            .to_compile_error()
            .into();
    }
    let mut sig = sig.clone();
    sig.asyncness = None;
    quote!(#(#attrs)* #vis #sig { ::goro::run(async move #body) }).into()
}

/// Runs an `async fn` test as a goroutine, with a timeout that fails it.
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut timeout_secs: u64 = 60;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("timeout_secs") {
            let lit: syn::LitInt = meta.value()?.parse()?;
            timeout_secs = lit.base10_parse()?;
            Ok(())
        } else {
            Err(meta.error("goro::test: unknown argument; expected `timeout_secs = N`"))
        }
    });
    if let Err(e) = parser.parse(attr) {
        return e.to_compile_error().into();
    }
    let f = parse_macro_input!(item as ItemFn);
    let (attrs, vis, sig, body) = (&f.attrs, &f.vis, &f.sig, &f.block);
    if sig.asyncness.is_none() {
        return syn::Error::new_spanned(sig.fn_token, "goro::test needs an async fn")
            .to_compile_error()
            .into();
    }
    let name = sig.ident.to_string();
    let mut sig = sig.clone();
    sig.asyncness = None;
    quote!(
        #[::core::prelude::v1::test]
        #(#attrs)* #vis #sig {
            ::goro::__private::run_test(
                concat!(module_path!(), "::", #name),
                ::std::time::Duration::from_secs(#timeout_secs),
                async move #body,
            )
        }
    )
    .into()
}

// -- channels and select (issue 3) --
mod select;

/// Go's `select`, in an async context: see `goro::select` for the cases.
#[proc_macro]
pub fn select(input: TokenStream) -> TokenStream {
    select::expand(input, false)
}

/// Go's `select` on a plain thread, parking it while it waits.
#[proc_macro]
pub fn select_blocking(input: TokenStream) -> TokenStream {
    select::expand(input, true)
}
