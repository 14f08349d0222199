// Two extensions of the rich-text editor (django-prose-editor, cicasite/core/richtext.py), loaded
// as a module through the editor's import map:
// - InternalLink, the "link to a page of this site" button: it searches the site's published
//   records (members, meetings, documents, initiatives) and links the selected text to the
//   chosen one's address, a path such as /ru/events/x/;
// - NoInjectedStyles: the editor would add its base styles as an inline <style>, which the
//   site's Content-Security-Policy (style-src 'self') refuses; they come from
//   static/css/richtext-admin.css instead.
import { Extension, crel } from "django-prose-editor/editor";

const DELAY = 250; // ms after the last keystroke before searching

function choices(results, choose) {
  return results.map(function (result) {
    const button = crel("button", { type: "button", className: "richtext-links__choice" }, [
      crel("span", { className: "richtext-links__title", textContent: result.title }),
      crel("span", {
        className: "richtext-links__meta",
        textContent: [result.kind, result.meta].filter(Boolean).join(" · "),
      }),
    ]);
    button.addEventListener("click", function () {
      choose(result.url);
    });
    return crel("li", {}, [button]);
  });
}

function pick(editor, options) {
  const labels = options.labels;
  const input = crel("input", { type: "search", className: "richtext-links__search", autocomplete: "off" });
  const status = crel("p", { className: "richtext-links__status", textContent: labels.hint });
  const list = crel("ul", { className: "richtext-links__results" });
  const cancel = crel("button", { type: "button", textContent: labels.cancel });
  const title = crel("h3", { className: "prose-editor-dialog-title", textContent: labels.title });
  const dialog = crel("dialog", { className: "prose-editor-dialog richtext-links" }, [
    title,
    // crel() sets textContent after appending children: the label's text is a child too.
    crel("label", { className: "richtext-links__label" }, [labels.search, input]),
    status,
    list,
    crel("div", { className: "prose-editor-dialog-buttons" }, [cancel]),
  ]);
  status.setAttribute("role", "status");
  let timer = null;
  let controller = null;

  function choose(href) {
    dialog.close();
    editor.chain().focus().extendMarkRange("link").setLink({ href: href }).run();
  }

  async function search() {
    const query = input.value.trim();
    if (controller) controller.abort();
    list.replaceChildren();
    if (query.length < 2) {
      status.textContent = labels.hint;
      return;
    }
    controller = new AbortController();
    status.textContent = labels.searching;
    try {
      const params = new URLSearchParams({ q: query, lang: options.language });
      const response = await fetch(options.url + "?" + params, {
        signal: controller.signal,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      status.textContent = data.results.length ? "" : labels.none;
      list.replaceChildren(...choices(data.results, choose));
    } catch (error) {
      if (error.name !== "AbortError") status.textContent = labels.failed;
    }
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, DELAY);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      // The dialog sits inside the admin's form: Enter picks the first match instead of saving.
      event.preventDefault();
      const first = list.querySelector("button");
      if (first) first.click();
    }
  });
  cancel.addEventListener("click", function () {
    dialog.close();
  });
  dialog.addEventListener("close", function () {
    clearTimeout(timer);
    if (controller) controller.abort();
    dialog.remove();
  });
  editor.view.dom.parentElement.append(dialog);
  dialog.showModal();
  input.focus();
}

export const InternalLink = Extension.create({
  name: "internalLink",

  addOptions() {
    return { url: "", language: "", labels: {} };
  },

  addMenuItems({ menu, buttons }) {
    const options = this.options;
    menu.defineItem({
      name: "internalLink",
      groups: "link",
      priority: 90,
      command(editor) {
        pick(editor, options);
      },
      enabled(editor) {
        return !editor.state.selection.empty || editor.isActive("link");
      },
      button: buttons.material("travel_explore", options.labels.button),
    });
  },
});

export const NoInjectedStyles = Extension.create({
  name: "noInjectedStyles",

  onBeforeCreate() {
    // Runs before the editor mounts, which is when it would inject its <style>.
    this.editor.options.injectCSS = false;
  },
});
