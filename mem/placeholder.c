/* placeholder */ int gm_placeholder_(void); int gm_placeholder_(void) { return 0; }
