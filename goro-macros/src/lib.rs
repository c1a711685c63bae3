//! `#[goro::main]` and `#[goro::test]`: run an `async fn` as the main
//! goroutine of a goro runtime.
//!
//! `#[goro::test]` also bounds the test's time (default 60 s, or
//! `#[goro::test(timeout_secs = 5)]`), so that a hung test fails instead of
//! hanging the suite, and checks that its goroutines did not outlive it
//! (`#[goro::test(allow_leaks)]` opts out).

use proc_macro::TokenStream;
use quote::quote;
use syn::parse::Parser;
use syn::{parse_macro_input, ItemFn};

/// Runs `async fn main` as the main goroutine: on a processor, like
/// `goro::run`, when its future is `Send`; else on this thread, like
/// `goro::block_on`.
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
    let entry = entry(&sig.output, body, quote!(::goro::__private::Mode::Main));
    quote!(#(#attrs)* #vis #sig { #entry }).into()
}

/// The body of a `#[goro::main]` / `#[goro::test]` function: the async body
/// becomes a nested `async fn` (so that whether its future is `Send` is
/// known here), entered through `goro::__private`, which runs it as the main
/// goroutine on a processor if it is `Send + 'static`, else on this thread.
fn entry(
    output: &syn::ReturnType,
    body: &syn::Block,
    mode: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    quote!(
        async fn __goro_body() #output #body
        #[allow(unused_imports)]
        use ::goro::__private::{OnProcessor as _, OnThisThread as _};
        (&&::goro::__private::Entry::new(__goro_body())).enter(#mode)
    )
}

/// Runs an `async fn` test as a goroutine, with a timeout that fails it,
/// and fails it if goroutines it spawned (transitively) outlive it by more
/// than a short grace period, printing their dump; `#[goro::test(allow_leaks)]`
/// skips that check.
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut timeout_secs: u64 = 60;
    let mut allow_leaks = false; // diagnostics (issue 5): opt out of the leak check
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("timeout_secs") {
            let lit: syn::LitInt = meta.value()?.parse()?;
            timeout_secs = lit.base10_parse()?;
            Ok(())
        } else if meta.path.is_ident("allow_leaks") {
            allow_leaks = true;
            Ok(())
        } else {
            Err(meta.error(
                "goro::test: unknown argument; expected `timeout_secs = N` or `allow_leaks`",
            ))
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
    let mode = quote!(::goro::__private::Mode::Test {
        name: concat!(module_path!(), "::", #name),
        timeout: ::std::time::Duration::from_secs(#timeout_secs),
        allow_leaks: #allow_leaks,
    });
    let entry = entry(&sig.output, body, mode);
    quote!(
        #[::core::prelude::v1::test]
        #(#attrs)* #vis #sig { #entry }
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
