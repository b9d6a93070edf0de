/// The dashboard's one style sheet, inline in every page (no file to
/// fetch): a `Markup` literal, so it can hold nothing but what is written here.
enum DashboardStyle {
    static let css: Markup = """
    :root{--ink:#1f2933;--muted:#52606d;--line:#d9dee4;--soft:#f4f6f8;--brand:#0b3d6b;--accent:#1d5fa8;--ok:#1b7f3b;--warn:#d39e00;--bad:#c0341d}
    *{box-sizing:border-box}
    html{-webkit-text-size-adjust:100%}
    body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif;color:var(--ink);background:var(--soft)}
    a{color:#0b5cad}a:hover{color:#083f78}
    a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #f0b429;outline-offset:2px}
    .skip{position:absolute;left:-9999px;top:8px;background:#fff;padding:6px 10px;z-index:10}.skip:focus{left:8px}
    .sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
    .top{background:var(--brand);color:#fff}
    .top .bar{max-width:1280px;margin:0 auto;padding:12px 20px 4px;display:flex;flex-wrap:wrap;align-items:center;gap:6px 20px}
    .brand{display:flex;align-items:center;gap:10px;color:#fff;text-decoration:none;font-size:20px;font-weight:700;letter-spacing:.01em}
    .brand:hover{color:#fff}
    .top .meta{margin-left:auto;display:flex;flex-wrap:wrap;align-items:center;gap:6px 16px;font-size:13.5px;color:#c9dcef}
    .top .lang{color:#fff;border:1px solid #6f9cc8;border-radius:14px;padding:2px 12px;text-decoration:none}
    .top .lang:hover{background:#16528a;color:#fff}
    nav.main{max-width:1280px;margin:0 auto;padding:0 10px;display:flex;overflow-x:auto;scrollbar-width:thin}
    nav.main a{color:#dbe7f3;text-decoration:none;padding:9px 11px 8px;font-size:14.5px;border-bottom:3px solid transparent;white-space:nowrap}
    nav.main a:hover{color:#fff;border-bottom-color:#6f9cc8}
    nav.main a[aria-current]{color:#fff;border-bottom-color:#f0b429;font-weight:600}
    main{max-width:1280px;margin:0 auto;padding:18px 20px 8px}
    .page-title{font-size:25px;line-height:1.25;margin:4px 0 2px}
    .lede{color:var(--muted);margin:0 0 14px;max-width:75ch}
    .card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin:0 0 18px}
    .card h2{font-size:18px;line-height:1.3;margin:0 0 8px}
    .card h3{font-size:14.5px;margin:14px 0 8px;color:#323f4b}
    .grid>div>h3:first-child{margin-top:4px}
    .section-head{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:4px 16px;margin:0 0 8px}
    .section-head h2{margin:0}
    .section-head a{font-size:14px;white-space:nowrap}
    .note{color:var(--muted);font-size:13.5px;margin:0 0 10px}
    .filter-note{display:inline-block;background:#fff7e0;border:1px solid #f0d77a;border-radius:6px;padding:6px 12px;margin:0 0 14px;font-size:14px}
    .kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(165px,1fr));gap:12px;margin:0 0 18px}
    .kpi{background:#fff;border:1px solid var(--line);border-top:4px solid var(--accent);border-radius:6px;padding:9px 13px 10px}
    .kpi.ok{border-top-color:var(--ok)}.kpi.bad{border-top-color:var(--bad)}
    .kpi .l{font-size:13px;color:var(--muted);font-weight:600;line-height:1.3}
    .kpi .v{font-size:26px;font-weight:700;line-height:1.25;margin:3px 0 1px;font-variant-numeric:tabular-nums;white-space:nowrap}
    .kpi .s{font-size:12.5px;color:var(--muted);line-height:1.35}
    .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:10px 32px;align-items:start}
    .grid>div{min-width:0}
    .chart-wrap{max-width:100%;overflow-x:auto;overflow-y:hidden}
    svg.chart{display:block;max-width:100%;height:auto}
    .figures{display:flex;flex-wrap:wrap;gap:8px 36px;margin:0 0 6px}
    .figures .fv{display:block;font-size:24px;font-weight:700;line-height:1.2;font-variant-numeric:tabular-nums}
    .figures .fl{font-size:13px;color:var(--muted)}
    .table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}
    table{border-collapse:collapse;width:100%;font-size:14px}
    th,td{padding:7px 10px;text-align:left;vertical-align:top;border-bottom:1px solid #e6e9ed}
    thead th{font-size:12px;color:var(--muted);font-weight:700;text-transform:uppercase;letter-spacing:.03em;border-bottom:2px solid var(--line);vertical-align:bottom}
    td.w-name{min-width:12em}
    table.compact th,table.compact td{padding:5px 9px}
    .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
    tbody tr:nth-child(even){background:#fafbfc}
    tbody tr:hover{background:#eef4fb}
    tfoot td{font-weight:700;border-top:2px solid var(--line);border-bottom:0}
    td.empty{color:var(--muted);text-align:center;padding:18px}
    .muted{color:var(--muted)}.small{font-size:12.5px}.nowrap{white-space:nowrap}
    .mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.92em}
    .notes{display:block;min-width:16em;max-width:60ch}
    .behind{color:#a12a15;font-weight:700}
    .dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:8px;vertical-align:0}
    .dot.ok{background:var(--ok)}.dot.warn{background:var(--warn)}.dot.bad{background:var(--bad)}
    .badge{display:inline-block;padding:1px 9px;border-radius:10px;font-size:12.5px;font-weight:600;line-height:1.6;white-space:nowrap;border:1px solid transparent}
    .b-optimal{background:#dcf2e3;color:#0f5c2a;border-color:#a9dcb8}
    .b-kreatif{background:#ecf5d9;color:#3e5c0f;border-color:#c6e09a}
    .b-berkembang{background:#fdf3cf;color:#6b4e00;border-color:#f0d77a}
    .b-kurang-aktif{background:#fde6d4;color:#8a3a06;border-color:#f4b98b}
    .b-tidak-aktif{background:#fbdcd6;color:#8c2212;border-color:#eea89b}
    .b-other,.b-offline{background:#eef1f4;color:#3e4c59;border-color:#d3d9df}
    .b-online{background:#dcebfa;color:#0b4a8c;border-color:#a8c9ee}
    form.filters{display:flex;flex-wrap:wrap;align-items:flex-end;gap:10px 14px;background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin:0 0 18px}
    form.filters label{display:flex;flex-direction:column;gap:3px;font-size:12.5px;font-weight:600;color:var(--muted)}
    form.filters input,form.filters select{font:inherit;font-size:14px;color:var(--ink);background:#fff;border:1px solid #9aa5b1;border-radius:5px;padding:6px 8px;min-width:0}
    form.filters input[name=region]{width:250px}form.filters input[name=period]{width:150px}
    form.filters input:invalid{border-color:var(--bad)}
    .btn{display:inline-block;font:inherit;font-size:14px;font-weight:600;line-height:1.3;padding:7px 14px;border-radius:5px;border:1px solid var(--accent);background:var(--accent);color:#fff;text-decoration:none;cursor:pointer;white-space:nowrap}
    .btn:hover{background:#174d8a;color:#fff}
    .btn.secondary{background:#fff;color:var(--accent)}.btn.secondary:hover{background:#eef4fb;color:#174d8a}
    .btn.csv::before{content:"\\2193\\00a0"}
    .pager{display:flex;flex-wrap:wrap;align-items:center;gap:5px;margin:14px 0 0}
    .pager .info{margin-right:auto;color:var(--muted);font-size:13.5px}
    .pager a,.pager .cur,.pager .gap{min-width:34px;text-align:center;padding:4px 10px;border:1px solid var(--line);border-radius:5px;font-size:14px;text-decoration:none}
    .pager .cur{background:var(--accent);border-color:var(--accent);color:#fff;font-weight:600}
    .pager .gap{border-color:transparent}
    .with-thumb{display:flex;align-items:flex-start;gap:10px}
    .with-thumb>div{min-width:0}
    .thumb{width:48px;height:32px;object-fit:cover;border-radius:3px;background:#e6e9ed;flex:none;display:block}
    .photos{display:flex;flex-wrap:wrap;gap:4px;margin-top:4px}.photos .thumb{width:36px;height:24px}
    .thumb.none{background:repeating-linear-gradient(135deg,#f1f3f5 0 4px,#e6e9ed 4px 8px)}
    .donut-wrap{display:flex;flex-wrap:wrap;align-items:center;gap:8px 28px}
    .donut-wrap svg{flex:0 1 460px}
    .headline{min-width:180px;flex:0 1 220px}
    .headline .big{font-size:46px;font-weight:800;line-height:1;color:var(--ok)}
    .headline .big-label{font-size:22px;font-weight:700;color:var(--ok)}
    .headline p{margin:6px 0 0;font-size:13.5px}
    .cards{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px}
    .survey{border:1px solid var(--line);border-radius:7px;overflow:hidden;background:#fff;display:flex;flex-direction:column;break-inside:avoid}
    .survey img,.survey .nophoto{display:block;width:100%;aspect-ratio:3/2;object-fit:cover;background:#e6e9ed}
    .survey .nophoto{display:flex;align-items:center;justify-content:center;color:var(--muted);font-size:13px}
    .survey .body{padding:7px 10px 9px}
    .card .survey h3{font-size:14px;line-height:1.3;margin:0}
    .survey .line{display:flex;justify-content:space-between;align-items:center;gap:6px;margin:5px 0 2px}
    .survey .score{font-weight:700;font-variant-numeric:tabular-nums}
    .more{margin:10px 0 0;font-size:14px}
    .ranks{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,270px),1fr));gap:8px 28px}
    .ranks.wide{grid-template-columns:repeat(auto-fit,minmax(min(100%,440px),1fr));gap:8px 40px}
    .card .rank h3{margin:4px 0 8px;padding-bottom:6px;border-bottom:2px solid var(--line)}
    .rank h3 .measure{font-weight:400;font-size:12.5px;color:var(--muted);white-space:nowrap}
    .rank table .pos{width:24px;height:24px;font-size:12.5px}
    .rank td.w-pos{width:36px}.rank td.w-val{width:30%}.rank td.w-val .meter{margin-left:auto}
    .rank ol{list-style:none;margin:0 0 8px;padding:0}
    .rank li{display:flex;align-items:center;gap:10px;padding:5px 0;border-bottom:1px solid #eef1f4}
    .rank .pos{flex:none;width:26px;height:26px;border-radius:50%;display:flex;align-items:center;justify-content:center;font-weight:700;font-size:13px;background:#eef1f4;color:#3e4c59}
    .rank .p1{background:#f0b429;color:#3d2c00}.rank .p2{background:#c5ccd3;color:#1f2933}.rank .p3{background:#d9995b;color:#3a1f05}
    .rank .who{flex:1;min-width:0;display:flex;flex-direction:column}
    .rank .name{font-weight:600;line-height:1.3;overflow-wrap:anywhere}
    .rank .meter{display:block;height:5px;margin-top:4px;background:#eef1f4;border-radius:3px}
    .rank .meter span{display:block;height:100%;background:var(--accent);border-radius:3px}
    .rank .val{flex:none;font-weight:700;font-variant-numeric:tabular-nums;text-align:right}
    nav.years{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin:0 0 16px}
    .pill{padding:3px 12px;border:1px solid var(--line);border-radius:14px;background:#fff;text-decoration:none;font-size:14px}
    .pill.cur{background:var(--accent);border-color:var(--accent);color:#fff;font-weight:600}
    nav.years .csv{margin-left:auto}
    footer{max-width:1280px;margin:0 auto;padding:4px 20px 28px;color:var(--muted);font-size:13px}
    footer p{margin:4px 0}
    @media screen and (max-width:700px){
    body{font-size:14.5px}
    main{padding:12px 10px 4px}
    .top .bar{padding:10px 12px 2px}
    .top .meta{margin-left:0}
    .page-title{font-size:21px}
    .card{padding:12px;border-radius:6px}
    .kpis{grid-template-columns:repeat(2,minmax(0,1fr));gap:8px}
    .kpi .v{font-size:21px}
    form.filters label,form.filters input[name=region],form.filters input[name=period]{width:100%}
    svg.chart{max-width:none;width:100%;min-width:400px}
    .cards{grid-template-columns:repeat(2,minmax(0,1fr));gap:8px}
    table.compact{min-width:520px}
    table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
    table.stack,table.stack tbody,table.stack tfoot,table.stack tr,table.stack td{display:block}
    table.stack tr{padding:6px 0;border-bottom:1px solid var(--line)}
    table.stack td{display:grid;grid-template-columns:minmax(6.5em,34%) 1fr;gap:2px 10px;padding:3px 2px;border:0;text-align:left;white-space:normal}
    table.stack td::before{content:attr(data-label);font-size:11.5px;font-weight:700;letter-spacing:.02em;text-transform:uppercase;color:var(--muted);padding-top:2px}
    table.stack td.empty,table.stack tfoot td:not([data-label]){display:block}
    table.stack td.empty::before,table.stack tfoot td:not([data-label])::before{content:none}
    table.stack tfoot tr{border-top:2px solid var(--line);border-bottom:0}
    table.stack td.w-name{min-width:0}
    nav.main{flex-wrap:wrap;padding:0 4px 4px}
    nav.main a{padding:6px 8px 5px;font-size:14px}
    table{font-size:13.5px}
    td.w-name{min-width:10em}
    .headline .big{font-size:36px}
    }
    @media print{
    @page{margin:14mm}
    body{background:#fff;font-size:11pt}
    .top{background:#fff;color:#000;border-bottom:2px solid #000}
    .brand,.brand:hover{color:#000}.brand svg,.top .lang,nav.main,form.filters,.pager,.btn,.skip,.more,.section-head a,nav.years a{display:none}
    .top .meta{color:#000}
    main,footer{max-width:none;padding:0}
    .kpi{border-color:#999}
    .kpi,.survey,.rank,tr,svg.chart,.section-head,h2,h3{break-inside:avoid}
    h2,h3,.section-head{break-after:avoid}
    .card{padding:8px 0;border:0;border-top:1px solid #999;border-radius:0}
    tfoot{display:table-row-group}
    .chart-wrap{overflow:visible}
    .table-wrap{overflow:visible}
    tbody tr:nth-child(even),tbody tr:hover{background:none}
    a{color:#000;text-decoration:none}
    *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
    }
    """
}
