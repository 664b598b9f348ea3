//! Time expressions ("tomorrow at 4 pm", "कल चार बजे"). (Being written: see issue 16.)
